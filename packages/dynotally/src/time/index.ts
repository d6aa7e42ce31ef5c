export { ALL_BUCKET, type Bucket } from './bucket.ts';
export { calendarFor } from './calendar-for.ts';
export { canonicalZoneName } from './canonical-zone.ts';
export { parseDuration } from './duration.ts';
export {
  type GranularityKind,
  type GranularitySpec,
  granularityOrder,
  NMINUTE_SIZES,
  parseGranularity,
} from './granularity.ts';
export { assertInstant, MAX_INSTANT, MIN_INSTANT } from './instant.ts';
export { type LocalParts, ZoneCalendar } from './zone-calendar.ts';
