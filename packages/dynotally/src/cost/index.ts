export { type IndexCostSpec, indexWriteUnits } from './index-write-units.ts';
export { attributeValueSize, type Item, itemSizeBytes, numberSize, utf8Length } from './item-size.ts';
export {
  type ItemWrite,
  WriteCostMeter,
  type WriteCostMeterOptions,
  type WriteCostTotals,
} from './write-cost-meter.ts';
export { unitsForBytes, WRITE_UNIT_BYTES, type WriteUnitOptions, writeUnits } from './write-units.ts';
