// The oracle's own exact decimals (decimal.js defaults to 20 significant digits: far too few).
import { Decimal as Base } from 'decimal.js';

export const Decimal = Base.clone({ precision: 100, toExpPos: 200, toExpNeg: -200 });
export type Decimal = InstanceType<typeof Decimal>;
