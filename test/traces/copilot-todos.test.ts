import { describe, expect, it } from 'vitest';
import { CopilotTodos } from '../../src/traces/copilot-todos.js';

/** The list after running each query in turn. */
function after(...queries: string[]) {
  const todos = new CopilotTodos();
  for (const query of queries) todos.apply(query);
  return todos.items();
}

describe('CopilotTodos: the todo list rebuilt from the SQL Copilot’s model ran', () => {
  it('is undefined until a statement writes to the todos table', () => {
    const todos = new CopilotTodos();
    expect(todos.apply('SELECT * FROM todos; CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES (1);')).toBe(false);
    expect(todos.items()).toBeUndefined();
    expect(todos.apply("INSERT INTO todos (id, title) VALUES ('a', 'A')")).toBe(true);
    expect(todos.items()).toEqual([{ content: 'A', status: 'pending' }]);
  });

  it('maps done to completed and blocked to pending; shows the title, else the description, else the id', () => {
    expect(
      after("INSERT INTO todos (id, title, description, status) VALUES ('a', 'A', '', 'done'), ('b', '', 'Bee', 'blocked'), ('c', NULL, NULL, 'in_progress'), (4, 'Four', 'x', 'pending')"),
    ).toEqual([
      { content: 'A', status: 'completed' },
      { content: 'Bee', status: 'pending' },
      { content: 'c', status: 'in_progress' },
      { content: 'Four', status: 'pending' },
    ]);
  });

  it('reads an INSERT without a column list in the table’s column order, and skips expressions it cannot evaluate', () => {
    expect(after("INSERT INTO todos VALUES ('a', 'It''s A', 'desc', 'in_progress', datetime('now'), CURRENT_TIMESTAMP)")).toEqual([{ content: "It's A", status: 'in_progress' }]);
  });

  it('keeps the first row on a duplicate id unless the insert replaces (OR REPLACE, REPLACE INTO, an upsert)', () => {
    const first = "INSERT INTO todos (id, title) VALUES ('a', 'First')";
    expect(after(first, "INSERT OR IGNORE INTO todos (id, title) VALUES ('a', 'Second')")).toEqual([{ content: 'First', status: 'pending' }]);
    expect(after(first, "INSERT OR REPLACE INTO todos (id, title, status) VALUES ('a', 'Second', 'done')")).toEqual([{ content: 'Second', status: 'completed' }]);
    expect(after(first, "REPLACE INTO todos (id, title) VALUES ('a', 'Third')")).toEqual([{ content: 'Third', status: 'pending' }]);
    expect(after(first, "INSERT INTO todos (id, title, status) VALUES ('a', 'First', 'done') ON CONFLICT(id) DO UPDATE SET status = excluded.status")).toEqual([
      { content: 'First', status: 'completed' },
    ]);
  });

  it('updates the rows a WHERE clause selects: =, !=, IN, NOT IN, IS NULL, AND, OR, parentheses', () => {
    const seed = "INSERT INTO todos (id, title, status) VALUES ('a', 'A', 'pending'), ('b', 'B', 'in_progress'), ('c', 'C', 'pending')";
    const statuses = (...queries: string[]) => after(seed, ...queries)?.map((item) => item.status);
    expect(statuses("UPDATE todos SET status = 'done' WHERE id = 'b'")).toEqual(['pending', 'completed', 'pending']);
    expect(statuses("UPDATE todos SET status = 'done' WHERE id != 'b'")).toEqual(['completed', 'in_progress', 'completed']);
    expect(statuses("UPDATE todos SET status = 'done' WHERE id IN ('a', 'c')")).toEqual(['completed', 'in_progress', 'completed']);
    expect(statuses("UPDATE todos SET status = 'done' WHERE id NOT IN ('a')")).toEqual(['pending', 'completed', 'completed']);
    expect(statuses("UPDATE todos SET status = 'done' WHERE status = 'pending' AND (id = 'a' OR id = 'b')")).toEqual(['completed', 'in_progress', 'pending']);
    expect(statuses("UPDATE todos SET status = 'done' WHERE description IS NULL")).toEqual(['completed', 'completed', 'completed']);
    expect(statuses("UPDATE todos SET status = 'done'")).toEqual(['completed', 'completed', 'completed']);
    expect(statuses("UPDATE todos SET status = 'in_progress', title = 'A2' WHERE id = 'a'")).toEqual(['in_progress', 'in_progress', 'pending']);
  });

  it('deletes the rows a WHERE clause selects, or every row without one', () => {
    const seed = "INSERT INTO todos (id, title) VALUES ('a', 'A'), ('b', 'B')";
    expect(after(seed, "DELETE FROM todos WHERE id = 'a'")).toEqual([{ content: 'B', status: 'pending' }]);
    expect(after(seed, 'DELETE FROM todos')).toEqual([]);
  });

  it('changes nothing for a statement it cannot read, and still reads the others of the query', () => {
    const seed = "INSERT INTO todos (id, title) VALUES ('a', 'A'), ('b', 'B')";
    expect(after(seed, "DELETE FROM todos WHERE id IN (SELECT id FROM todos WHERE title LIKE '%A%'); UPDATE todos SET status = 'done' WHERE id = 'b'")).toEqual([
      { content: 'A', status: 'pending' },
      { content: 'B', status: 'completed' },
    ]);
    expect(after(seed, "UPDATE todos SET status = 'done' WHERE length(title) > 0")).toEqual([
      { content: 'A', status: 'pending' },
      { content: 'B', status: 'pending' },
    ]);
  });

  it('reads quoted names, schema-qualified tables, comments and any case', () => {
    expect(after(`-- track the work\ninsert into "main"."todos" ("id", [title]) values ('a', 'A'); /* then */ update \`todos\` set status = 'done' where ID = 'a';`)).toEqual([
      { content: 'A', status: 'completed' },
    ]);
  });

  it('only after a gap (rows may have been inserted unseen) does an update of an unknown id add a row standing for it', () => {
    const todos = new CopilotTodos();
    todos.apply("INSERT INTO todos (id, title) VALUES ('a', 'A')");
    todos.apply("UPDATE todos SET status = 'done' WHERE id = 'ghost'");
    expect(todos.items()).toEqual([{ content: 'A', status: 'pending' }]);
    todos.gap();
    todos.apply("UPDATE todos SET status = 'done' WHERE id = 'ghost'");
    expect(todos.items()).toEqual([
      { content: 'A', status: 'pending' },
      { content: 'ghost', status: 'completed' },
    ]);
  });

  it('never throws, whatever the text', () => {
    for (const query of ["INSERT INTO todos (id VALUES ('a'", 'UPDATE todos SET', "DELETE FROM todos WHERE id = 'a' AND", "'unterminated", '"', '[', '/*', '-- only a comment', ';;;', 'INSERT INTO todos () VALUES ()']) {
      expect(() => after(query)).not.toThrow();
    }
  });
});
