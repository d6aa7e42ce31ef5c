export {
  type BufferedS4Options,
  type BufferedS4Stats,
  type BufferedS4Wiring,
  bufferedS4,
} from './buffered-s4.ts';
export {
  type ChangeRollupDemo,
  type ChangeRollupDemoOptions,
  type ChangeRollupSettings,
  createChangeRollupDemo,
} from './change-rollup.ts';
export { type DevStack, type DevStackOptions, type DevTables, startDevStack } from './dev-stack.ts';
export { configFlagsOf, type FirstScreenOptions, firstScreen } from './first-screen.ts';
export { openBrowser } from './open-browser.ts';
export { quietLogger } from './quiet-logger.ts';
export { directWithoutRedis, S4_MODES, type S4Mode, s4WiringFor } from './s4-mode.ts';
export { directS4, type S4Wiring, type S4WiringContext } from './s4-wiring.ts';
