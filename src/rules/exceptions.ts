// Rule exceptions (spec §3): structural validation with Falco's messages (comps defaulting,
// lengths, operators) and generation of the exception clauses as condition TEXT, exactly as
// Falco builds it, so that it then goes through list substitution and parsing like any condition.

import type { ExEntry, ExceptionInfo } from './infos.js';
import { MappedText } from './text-map.js';
import { ItemError } from './yaml.js';

const STRING_OPS = ['=', '==', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex'];
/** libsinsp parser::supported_operators(). */
const OPERATORS = new Set([...STRING_OPS, '<=', '>=', '<', '>', 'in', 'intersects', 'pmatch', 'exists']);
/** libsinsp parser::supported_operators(true): operators taking a list. */
const LIST_OPERATORS = new Set(['in', 'intersects', 'pmatch']);
const MODIFIER_OP = new RegExp(`^(${STRING_OPS.map((o) => o.replace(/[=!]/g, '\\$&')).join('|')})\\s+(oneof|anyof|allof)$`);

export function isModifierOperator(op: string): boolean {
  return MODIFIER_OP.test(op.trim());
}

export function isSupportedOperator(op: string): boolean {
  const t = op.trim();
  return OPERATORS.has(t) || isModifierOperator(t);
}

/** Operators whose scalar value is wrapped in parentheses (a list, or a list name to substitute). */
export function isListOperator(op: string): boolean {
  const t = op.trim();
  return LIST_OPERATORS.has(t) || isModifierOperator(t);
}

function scalarEntry(like: ExEntry, item: string): ExEntry {
  return { isList: false, item, items: [], src: like.src, offset: like.offset };
}

/**
 * Falco's validate_exception_info without the field check (that needs the rule's source and is done
 * at compile time): defaults `comps` and checks lengths and operators. Returns the completed info.
 */
export function validateException(ex: ExceptionInfo): ExceptionInfo {
  const fields = ex.fields;
  if (fields === undefined) {
    throw new ItemError('LOAD_ERR_VALIDATE', 'Rule exception item must have fields property with a list of fields', ex.ctx);
  }
  if (fields.isList) {
    const comps = ex.comps ?? { isList: true, item: '', items: fields.items.map((f) => scalarEntry(f, '=')), src: fields.src, offset: fields.offset };
    if (!comps.isList || comps.items.length !== fields.items.length) {
      throw new ItemError('LOAD_ERR_VALIDATE', 'Fields and comps lists must have equal length', ex.ctx);
    }
    for (const c of comps.items) {
      if (c.isList || !isSupportedOperator(c.item)) {
        throw new ItemError('LOAD_ERR_VALIDATE', `'${c.isList ? '(list)' : c.item}' is not a supported comparison operator`, ex.ctx);
      }
    }
    for (const f of fields.items) {
      if (f.isList) throw new ItemError('LOAD_ERR_VALIDATE', "'(list)' is not a supported filter field", ex.ctx);
    }
    return { ...ex, comps };
  }
  const comps = ex.comps ?? scalarEntry(fields, 'in');
  if (comps.isList) throw new ItemError('LOAD_ERR_VALIDATE', 'Fields and comps must both be strings', ex.ctx);
  const op = comps.item.trim();
  if (!LIST_OPERATORS.has(op) && !isModifierOperator(op)) {
    throw new ItemError('LOAD_ERR_VALIDATE',
      'When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator', ex.ctx);
  }
  return { ...ex, comps };
}

/** Every field an exception names (the rule's exception_fields). */
export function exceptionFieldNames(ex: ExceptionInfo): string[] {
  const f = ex.fields;
  if (f === undefined) return [];
  return f.isList ? f.items.map((x) => x.item) : [f.item];
}

/** Falco quote_item: wrap in double quotes when the text has a space and does not start with a quote. */
export function quoteItem(e: string): string {
  return e.includes(' ') && e[0] !== '"' && e[0] !== "'" ? `"${e}"` : e;
}

function parenItem(e: string): string {
  return e[0] !== '(' ? `(${e})` : e;
}

/** Text of one entry, mapped to its YAML scalar where the text is the scalar itself. */
function entryText(e: ExEntry, text: string): MappedText {
  const anchor = { src: e.src, offset: e.offset };
  if (e.node !== undefined) {
    const at = text.indexOf(e.item);
    if (e.item !== '' && at >= 0) {
      return MappedText.anchored(text.slice(0, at), anchor)
        .concat(MappedText.scalar(e.src, e.node, e.item), MappedText.anchored(text.slice(at + e.item.length), anchor));
    }
  }
  return MappedText.anchored(text, anchor);
}

function syn(text: string, ex: ExceptionInfo): MappedText {
  const l = ex.ctx.last;
  return MappedText.anchored(text, { src: l.src, offset: l.offset });
}

/** The clause of one exception (Falco build_rule_exception_infos), or undefined when it has no values. */
export function exceptionClause(ex: ExceptionInfo): MappedText | undefined {
  const fields = ex.fields;
  const comps = ex.comps;
  if (fields === undefined || comps === undefined) return undefined;
  if (!fields.isList) {
    let out: MappedText | undefined;
    for (const v of ex.values) {
      if (v.isList) throw new ItemError('LOAD_ERR_VALIDATE', 'Expected values array to contain a list of strings', ex.ctx);
      out = out === undefined
        ? syn('(', ex).concat(entryText(fields, fields.item), syn(' ', ex), entryText(comps, comps.item), syn(' (', ex))
        : out.concat(syn(', ', ex));
      out = out.concat(entryText(v, quoteItem(v.item)));
    }
    return out === undefined ? undefined : out.concat(syn('))', ex));
  }
  let out = syn('(', ex);
  let first = true;
  for (const tuple of ex.values) {
    if (!tuple.isList || tuple.items.length !== fields.items.length) {
      throw new ItemError('LOAD_ERR_VALIDATE', 'Fields and values lists must have equal length', ex.ctx);
    }
    out = out.concat(syn(first ? '(' : ' or (', ex));
    first = false;
    fields.items.forEach((field, k) => {
      const value = tuple.items[k] as ExEntry;
      const comp = comps.items[k] as ExEntry;
      let istr: MappedText;
      if (value.isList) {
        istr = syn('(', ex);
        value.items.forEach((v, n) => {
          istr = istr.concat(syn(n === 0 ? '' : ', ', ex), entryText(v, quoteItem(v.item)));
        });
        istr = istr.concat(syn(')', ex));
      } else {
        istr = entryText(value, isListOperator(comp.item) ? parenItem(value.item) : quoteItem(value.item));
      }
      out = out.concat(syn(k === 0 ? ' ' : ' and  ', ex), entryText(field, field.item), syn(' ', ex), entryText(comp, comp.item), syn(' ', ex), istr);
    });
    out = out.concat(syn(')', ex));
  }
  out = out.concat(syn(')', ex));
  return out.text === '()' ? undefined : out;
}

/** `(cond) and not clause1 and not clause2 …` (unchanged when the rule has no exceptions). */
export function withExceptions(cond: MappedText, exceptions: readonly ExceptionInfo[]): MappedText {
  if (exceptions.length === 0) return cond;
  const anchor = cond.start;
  const paren = (t: string): MappedText => (anchor ? MappedText.anchored(t, anchor) : MappedText.anchored(t, { src: (exceptions[0] as ExceptionInfo).ctx.last.src, offset: 0 }));
  let out = paren('(').concat(cond, paren(')'));
  for (const ex of exceptions) {
    const clause = exceptionClause(ex);
    if (clause !== undefined) out = out.concat(syn(' and not ', ex), clause);
  }
  return out;
}
