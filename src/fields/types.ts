// Field definitions: what a field is (type, argument, flags, description) and how its value is
// extracted from an event. Extractors are chosen once at compile time; per event they do no parsing.

/**
 * Value types, folded from libsinsp's PT_* types:
 * string (CHARBUF, FSPATH, FSRELPATH), bytes (BYTEBUF), int (signed integers, PID, FD, ERRNO),
 * uint (unsigned integers, UID, GID, FLAGS, MODE), port (PORT: also accepts service names), bool,
 * ipaddr (IPADDR, IPV4ADDR, IPV6ADDR), ipnet (IPNET: a CIDR-matchable address), reltime and abstime
 * (nanoseconds), double.
 */
export type FieldType =
  | 'string' | 'bytes' | 'int' | 'uint' | 'port' | 'bool' | 'ipaddr' | 'ipnet' | 'reltime' | 'abstime' | 'double';

/** none: no argument; index: `[N]` with a number; key: `[anything]` (or `.anything` where dotted). */
export type ArgKind = 'none' | 'index' | 'key';

/**
 * How a field that yields several values is compared:
 * 'list'  — a list field (EPF_IS_LIST): `in` needs every value in the set, `intersects` any value,
 *           other operators match when any value matches;
 * 'any'   — ancestor fields without an index (`proc.aname`): the check holds if any ancestor's value does.
 */
export type Multiplicity = 'single' | 'list' | 'any';

/** Extracts a field's value from an event: undefined when unavailable, an array when multi-valued. */
export type Extractor = (event: never) => unknown;

export interface FieldInfo {
  /** Full name, e.g. `proc.aname`, `evt.arg`. */
  readonly name: string;
  readonly source: string;
  readonly type: FieldType;
  readonly argKind: ArgKind;
  readonly argRequired: boolean;
  /** The argument may also be written after a dot: `evt.arg.flags`. */
  readonly dottedArg: boolean;
  readonly filterOnly: boolean;
  /** May not be used on the right-hand side (val()). */
  readonly noRhs: boolean;
  readonly noTransformer: boolean;
  readonly deprecated: boolean;
  readonly desc: string;
}

export interface FieldDef extends FieldInfo {
  /** Multiplicity when used with (or without) an argument. */
  multiplicity(arg: string | undefined): Multiplicity;
  /**
   * Builds the extractor for one use of the field, or returns an error message when the argument is
   * invalid (for example a non-numeric index).
   */
  extractor(arg: string | undefined): Extractor | string;
  /** JSON rendering for alerts when it differs from the filter value (e.g. evt.time → integer ns). */
  jsonExtractor?(arg: string | undefined): Extractor;
  /**
   * The derivation alone: `extractor` without the override by source-given values, for events that
   * carry none (`event.given === undefined`). Only called with an argument `extractor` accepted.
   */
  derivation?(arg: string | undefined): Extractor | undefined;
  /** Extraction is costly (ancestor walks, joins, parsing): worth remembering per event. */
  readonly costly?: boolean;
}

/** A resolved field reference: the definition plus the argument as written. */
export interface FieldRef {
  readonly def: FieldDef;
  readonly arg: string | undefined;
  /** The reference as text: `proc.aname[2]`, `evt.arg.flags`. */
  readonly text: string;
}
