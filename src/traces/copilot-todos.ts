import type { TodoItem, TodoStatus } from './types.js';

/**
 * Copilot CLI's todo list. Copilot has no todo tool: the model keeps its todos in the `todos` table
 * (`id, title, description, status pending|in_progress|done|blocked, …`) of the session's SQLite
 * database through its `sql` tool, and the database is not in the event log. So the list is
 * rebuilt from the SQL of the `sql` calls that succeeded: INSERT (OR REPLACE / OR IGNORE),
 * UPDATE … SET … and DELETE on `todos`, with WHERE clauses of `=`, `!=`, `IN`, `NOT IN`, `IS NULL`,
 * `AND`, `OR` and parentheses over literal values. A statement it cannot read (a subquery, a
 * function of a column) changes nothing, so the list may then be out of date.
 */
export class CopilotTodos {
  private readonly rows = new Map<string, Row>();
  private touched = false;
  private anonymous = 0;
  /** Statements were skipped (the byte cap's gap): rows may be missing. */
  private partial = false;

  /** From now on, rows inserted by statements not read may be updated. */
  gap(): void {
    this.partial = true;
  }

  /** Applies the statements of one successful `sql` query; returns whether any wrote to `todos`. */
  apply(query: string): boolean {
    let changed = false;
    for (const statement of statements(tokenize(query))) {
      try {
        changed = this.statement(statement) || changed;
      } catch (error) {
        if (!(error instanceof Unreadable)) throw error;
      }
    }
    if (changed) this.touched = true;
    return changed;
  }

  /** The list as it now is, in insertion order; `undefined` while nothing was ever written to it. */
  items(): TodoItem[] | undefined {
    if (!this.touched) return undefined;
    return [...this.rows.values()].map((row) => ({ content: text(row.title) ?? text(row.description) ?? text(row.id) ?? '(untitled)', status: todoStatus(row.status) }));
  }

  private statement(tokens: Token[]): boolean {
    const reader = new Reader(tokens);
    if (reader.keyword('INSERT') || reader.keyword('REPLACE')) return this.insert(reader, tokens[0]!.text.toUpperCase() === 'REPLACE' ? 'REPLACE' : undefined);
    if (reader.keyword('UPDATE')) return this.update(reader);
    if (reader.keyword('DELETE')) return this.delete(reader);
    return false;
  }

  private insert(reader: Reader, verb: 'REPLACE' | undefined): boolean {
    let conflict = verb;
    if (reader.keyword('OR')) conflict = reader.word().toUpperCase() as 'REPLACE';
    reader.expectKeyword('INTO');
    if (!isTodos(reader.table())) return false;
    let columns = TABLE_COLUMNS;
    if (reader.peek('(')) columns = reader.list(() => reader.word().toLowerCase());
    reader.expectKeyword('VALUES');
    const tuples: Value[][] = [];
    do tuples.push(reader.list(() => reader.value())); while (reader.take(','));
    // ON CONFLICT … DO UPDATE and RETURNING: an upsert writes the row given, like REPLACE.
    if (reader.keyword('ON')) conflict = 'REPLACE';
    for (const tuple of tuples) {
      const row: Row = { status: 'pending' };
      columns.forEach((column, index) => {
        if (index < tuple.length) row[column] = tuple[index]!;
      });
      const id = text(row.id) ?? `#${++this.anonymous}`;
      const existing = this.rows.get(id);
      if (existing !== undefined && conflict !== 'REPLACE') continue;
      this.rows.set(id, existing === undefined ? row : { ...existing, ...row });
    }
    return true;
  }

  private update(reader: Reader): boolean {
    if (reader.keyword('OR')) reader.word();
    if (!isTodos(reader.table())) return false;
    reader.expectKeyword('SET');
    const assignments: Array<[string, Value]> = [];
    do {
      const column = reader.word().toLowerCase();
      reader.expect('=');
      assignments.push([column, reader.value()]);
    } while (reader.take(','));
    const where = reader.keyword('WHERE') ? reader.condition() : () => true;
    for (const [id, row] of this.rowsFor(where, reader, this.partial)) this.rows.set(id, { ...row, ...Object.fromEntries(assignments) });
    return true;
  }

  private delete(reader: Reader): boolean {
    reader.expectKeyword('FROM');
    if (!isTodos(reader.table())) return false;
    const where = reader.keyword('WHERE') ? reader.condition() : () => true;
    for (const [id] of this.rowsFor(where, reader, false)) this.rows.delete(id);
    return true;
  }

  /**
   * The rows a WHERE clause selects. With `stand`, an `id = '…'` naming a row not read (inserted
   * in the part of a huge log the byte cap skipped) selects a new row standing for it.
   */
  private rowsFor(where: Condition, reader: Reader, stand: boolean): Array<[string, Row]> {
    const selected = [...this.rows].filter(([, row]) => where(row));
    if (stand && selected.length === 0 && reader.namedId !== undefined) {
      const row: Row = { id: reader.namedId, status: 'pending' };
      this.rows.set(reader.namedId, row);
      return [[reader.namedId, row]];
    }
    return selected;
  }
}

/** A literal value; `undefined` stands for an expression that is not a literal. */
type Value = string | number | null | undefined;
type Row = Record<string, Value>;
type Condition = (row: Row) => boolean;

/** The columns of Copilot's `todos` table, in order, for an INSERT without a column list. */
const TABLE_COLUMNS = ['id', 'title', 'description', 'status', 'created_at', 'updated_at'];

function isTodos(table: string): boolean {
  return table.toLowerCase() === 'todos';
}

function text(value: Value): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function todoStatus(value: Value): TodoStatus {
  if (value === 'done' || value === 'completed') return 'completed';
  return value === 'in_progress' ? 'in_progress' : 'pending';
}

/** A statement the reader does not understand. */
class Unreadable extends Error {}

interface Token {
  readonly kind: 'word' | 'string' | 'number' | 'symbol';
  readonly text: string;
}

/** SQLite tokens: words (bare or quoted names), 'strings', numbers and symbols; comments dropped. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < sql.length) {
    const char = sql[index]!;
    if (/\s/.test(char)) {
      index++;
    } else if (sql.startsWith('--', index)) {
      const end = sql.indexOf('\n', index);
      index = end === -1 ? sql.length : end;
    } else if (sql.startsWith('/*', index)) {
      const end = sql.indexOf('*/', index + 2);
      index = end === -1 ? sql.length : end + 2;
    } else if (char === "'") {
      let value = '';
      index++;
      while (index < sql.length) {
        if (sql[index] === "'") {
          if (sql[index + 1] === "'") {
            value += "'";
            index += 2;
            continue;
          }
          index++;
          break;
        }
        value += sql[index++];
      }
      tokens.push({ kind: 'string', text: value });
    } else if (char === '"' || char === '`' || char === '[') {
      const close = char === '[' ? ']' : char;
      const end = sql.indexOf(close, index + 1);
      tokens.push({ kind: 'word', text: sql.slice(index + 1, end === -1 ? sql.length : end) });
      index = end === -1 ? sql.length : end + 1;
    } else if (/[0-9]/.test(char) || (char === '-' && /[0-9]/.test(sql[index + 1] ?? '') && !/(word|number|string)/.test(tokens.at(-1)?.kind ?? ''))) {
      const match = /^-?\d+(\.\d+)?/.exec(sql.slice(index))!;
      tokens.push({ kind: 'number', text: match[0] });
      index += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(index))!;
      tokens.push({ kind: 'word', text: match[0] });
      index += match[0].length;
    } else {
      const two = sql.slice(index, index + 2);
      const symbol = two === '!=' || two === '<>' || two === '<=' || two === '>=' || two === '||' ? two : char;
      tokens.push({ kind: 'symbol', text: symbol });
      index += symbol.length;
    }
  }
  return tokens;
}

function statements(tokens: Token[]): Token[][] {
  const result: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'symbol' && token.text === ';') result.push([]);
    else result.at(-1)!.push(token);
  }
  return result.filter((statement) => statement.length > 0);
}

/** Reads one statement's tokens; throws {@link Unreadable} at anything it does not understand. */
class Reader {
  private position = 0;
  /** The id a WHERE clause names with `id = '…'`, when it names exactly one. */
  namedId: string | undefined;

  constructor(private readonly tokens: readonly Token[]) {}

  keyword(word: string): boolean {
    const token = this.tokens[this.position];
    if (token?.kind !== 'word' || token.text.toUpperCase() !== word) return false;
    this.position++;
    return true;
  }

  expectKeyword(word: string): void {
    if (!this.keyword(word)) throw new Unreadable(word);
  }

  peek(symbol: string): boolean {
    const token = this.tokens[this.position];
    return token?.kind === 'symbol' && token.text === symbol;
  }

  take(symbol: string): boolean {
    if (!this.peek(symbol)) return false;
    this.position++;
    return true;
  }

  expect(symbol: string): void {
    if (!this.take(symbol)) throw new Unreadable(symbol);
  }

  word(): string {
    const token = this.tokens[this.position];
    if (token?.kind !== 'word') throw new Unreadable('name');
    this.position++;
    return token.text;
  }

  /** A table name, `schema.table` read as `table`. */
  table(): string {
    let name = this.word();
    while (this.take('.')) name = this.word();
    return name;
  }

  /** `( item, item, … )`. */
  list<T>(item: () => T): T[] {
    this.expect('(');
    const items: T[] = [];
    if (!this.take(')')) {
      do items.push(item());
      while (this.take(','));
      this.expect(')');
    }
    return items;
  }

  /** A literal, or an expression read past (its value unknown: `undefined`). */
  value(): Value {
    const token = this.tokens[this.position];
    const next = this.tokens[this.position + 1];
    const ends = next === undefined || (next.kind === 'symbol' && (next.text === ',' || next.text === ')')) || (next.kind === 'word' && /^(WHERE|ON|RETURNING|AND|OR)$/i.test(next.text));
    if (token !== undefined && ends) {
      if (token.kind === 'string') return this.advance(token.text);
      if (token.kind === 'number') return this.advance(Number(token.text));
      if (token.kind === 'word' && token.text.toUpperCase() === 'NULL') return this.advance(null);
    }
    // An expression (datetime('now'), CURRENT_TIMESTAMP, excluded.status): skip to the end of it.
    let depth = 0;
    while (this.position < this.tokens.length) {
      const current = this.tokens[this.position]!;
      if (current.kind === 'symbol' && current.text === '(') depth++;
      else if (current.kind === 'symbol' && current.text === ')') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && ((current.kind === 'symbol' && current.text === ',') || (current.kind === 'word' && /^(WHERE|ON|RETURNING)$/i.test(current.text)))) break;
      this.position++;
    }
    return undefined;
  }

  /** A WHERE clause, up to RETURNING or the end. */
  condition(): Condition {
    const ids: string[] = [];
    const condition = this.or(ids);
    if (this.keyword('RETURNING')) this.position = this.tokens.length;
    if (this.position !== this.tokens.length) throw new Unreadable('WHERE');
    if (ids.length === 1) this.namedId = ids[0];
    return condition;
  }

  private or(ids: string[]): Condition {
    const terms = [this.and(ids)];
    while (this.keyword('OR')) terms.push(this.and(ids));
    return terms.length === 1 ? terms[0]! : (row) => terms.some((term) => term(row));
  }

  private and(ids: string[]): Condition {
    const terms = [this.comparison(ids)];
    while (this.keyword('AND')) terms.push(this.comparison(ids));
    return terms.length === 1 ? terms[0]! : (row) => terms.every((term) => term(row));
  }

  private comparison(ids: string[]): Condition {
    if (this.take('(')) {
      const inner = this.or(ids);
      this.expect(')');
      return inner;
    }
    const column = this.table().toLowerCase();
    const literal = () => {
      const value = this.value();
      if (value === undefined) throw new Unreadable('literal');
      return value;
    };
    if (this.keyword('IS')) {
      const negated = this.keyword('NOT');
      this.expectKeyword('NULL');
      return (row) => (row[column] === null || row[column] === undefined) !== negated;
    }
    const negated = this.keyword('NOT');
    if (this.keyword('IN')) {
      const values = this.list(literal);
      return (row) => values.some((value) => same(row[column], value)) !== negated;
    }
    if (negated) throw new Unreadable('NOT');
    const operator = this.tokens[this.position];
    if (operator?.kind !== 'symbol' || !['=', '==', '!=', '<>'].includes(operator.text)) throw new Unreadable('operator');
    this.position++;
    const value = literal();
    if (operator.text === '=' || operator.text === '==') {
      if (column === 'id' && value !== null) ids.push(String(value));
      return (row) => same(row[column], value);
    }
    return (row) => !same(row[column], value);
  }

  private advance<T>(value: T): T {
    this.position++;
    return value;
  }
}

/** SQLite's loose equality between a stored value and a literal (`1` and `'1'` are one id). */
function same(stored: Value, literal: Value): boolean {
  if (stored === undefined || stored === null || literal === null || literal === undefined) return false;
  return String(stored) === String(literal);
}
