export { type DevStack, type DevStackOptions, type DevTables, startDevStack } from './dev-stack.ts';
export { firstScreen } from './first-screen.ts';
export { openBrowser } from './open-browser.ts';
export { quietLogger } from './quiet-logger.ts';
export { directS4, type S4Wiring, type S4WiringContext } from './s4-wiring.ts';
