#!/usr/bin/env python3
"""Generate a deterministic TypeScript or Go project corpus for `make bench`.

usage: python3 bench/gen_poly.py LANG [N_LINES [OUTDIR]] [--seed N]

LANG is "ts" or "go".  Writes at least N_LINES (default 100000) lines into
OUTDIR (default bench/corpus-LANG):
- ts: a NestJS + Prisma + Express style service under src/ with modules of
  about 150 to 400 lines (decorated controllers, async services with
  try/catch/finally, $transaction callbacks, Promise.all over maps, for..of
  and for await loops, template literals with nested ${...}, regex
  literals, generics, type-only declarations, comments), a few spec files
  and a package.json written last;
- go: a net/http + database/sql + GORM style module under internal/ with
  files of the same size (structs with tags, methods with receivers,
  handlers, BeginTx with defer tx.Rollback(), for range and rows.Next()
  loops, defer, go statements, raw strings with SQL, function literals),
  a few _test.go files and a go.mod written last.
Both carry a sprinkle of the anti-patterns pperf looks for.  The first line
of the last file written records the arguments.  The same arguments always
give byte-identical output (one seeded random.Random).
"""
import argparse
import os
import random
import sys

NOUNS = [
    "order", "invoice", "shipment", "customer", "ticket", "device", "sensor", "booking",
    "room", "course", "lesson", "payment", "refund", "coupon", "vendor", "pallet",
    "route", "driver", "vehicle", "patient", "visit", "claim", "policy", "article",
]
VERBS = ["load", "sync", "refresh", "build", "render", "export", "ingest", "score", "merge", "settle"]


def camel(w):
    return w[:1].upper() + w[1:]


TS_BLOCK = '''
// ---- {Noun} {verb} #{j}
export interface {Noun}Row{j}<T extends Record<string, unknown> = Record<string, unknown>> {{
  id: number;
  status: "new" | "open" | "closed";
  total: number;
  meta?: T;
}}

type {Noun}Filter{j} = Partial<Pick<{Noun}Row{j}, "status" | "total">> & {{ q?: string }};

const {noun}Pattern{j} = /^[a-z]{{2,8}}-\\d+$/i;

@Controller("{noun}s-{j}")
export class {Noun}Controller{j} {{
  constructor(private readonly prisma: PrismaService, private readonly svc: {Noun}Service{j}) {{}}

  @Get(":id")
  async find{Noun}(@Param("id") id: string): Promise<{Noun}Row{j} | null> {{
    const row = await this.prisma.{noun}.findUnique({{ where: {{ id: Number(id) }}, include: {{ lines: true }} }});
    if (!row) {{
      throw new NotFoundException(`{noun} ${{id}} not found (${{JSON.stringify({{ id }})}})`);
    }}
    return row as unknown as {Noun}Row{j};
  }}

  @Get()
  async list{Noun}s(@Query() filter: {Noun}Filter{j}): Promise<{Noun}Row{j}[]> {{
    const where = filter.q && {noun}Pattern{j}.test(filter.q) ? {{ ref: filter.q }} : {{ status: filter.status }};
    const rows = await this.prisma.{noun}.findMany({{ where, take: 50, orderBy: {{ id: "desc" }} }});
    return rows.map((r) => ({{ ...r, total: r.total / 100 }})) as {Noun}Row{j}[];
  }}

  @Post(":id/{verb}")
  async {verb}{Noun}(@Param("id") id: string, @Body() body: {{ lines: {{ sku: string; qty: number }}[] }}) {{
    return this.prisma.$transaction(async (tx) => {{
      const head = await tx.{noun}.update({{ where: {{ id: Number(id) }}, data: {{ status: "open" }} }});
      for (const line of body.lines) {{
        await tx.{noun}Line.create({{ data: {{ {noun}Id: head.id, sku: line.sku, qty: line.qty }} }});
      }}
      return {{ id: head.id, lines: body.lines.length }};
    }}, {{ timeout: 5000 }});
  }}

  @Get("export/{j}")
  async export{Noun}s(): Promise<string> {{
    const rows = await this.prisma.{noun}.findMany({{ select: {{ id: true, status: true, total: true }} }});
    let csv = "id,status,total\\n";
    for (const r of rows) {{
      csv += `${{r.id}},${{r.status}},${{(r.total / 100).toFixed(2)}}\\n`;
    }}
    return csv;
  }}
}}

@Injectable()
export class {Noun}Service{j} {{
  private readonly cache = new Map<number, {Noun}Row{j}>();

  constructor(private readonly prisma: PrismaService, private readonly log: Logger) {{}}

  async {verb}Many(ids: number[]): Promise<number> {{
    let done = 0;
    try {{
      const rows = await Promise.all(ids.map((id) => this.prisma.{noun}.findUnique({{ where: {{ id }} }})));
      for (const row of rows) {{
        if (!row || row.status === "closed") {{
          continue;
        }}
        await this.prisma.{noun}.update({{ where: {{ id: row.id }}, data: {{ status: "closed" }} }});
        done += 1;
      }}
    }} catch (err) {{
      this.log.error(`{verb} failed: ${{(err as Error).message}}`);
      throw err;
    }} finally {{
      this.cache.clear();
    }}
    return done;
  }}

  async *stream{Noun}s(batch = 200): AsyncGenerator<{Noun}Row{j}[]> {{
    let cursor: number | undefined;
    while (true) {{
      const page = await this.prisma.{noun}.findMany({{ take: batch, ...(cursor ? {{ skip: 1, cursor: {{ id: cursor }} }} : {{}}) }});
      if (page.length === 0) {{
        return;
      }}
      cursor = page[page.length - 1].id;
      yield page as unknown as {Noun}Row{j}[];
    }}
  }}

  async count{Noun}s(): Promise<number> {{
    let n = 0;
    for await (const page of this.stream{Noun}s()) {{
      n += page.filter((r) => r.status === "open").length;
    }}
    return n;
  }}

  describe(row: {Noun}Row{j}): string {{
    const tags = Object.entries(row.meta ?? {{}}).map(([k, v]) => `${{k}}=${{String(v)}}`);
    return `{Noun} #${{row.id}} <${{row.status}}> ${{tags.join(", ")}}`;
  }}
}}

export function {noun}Score{j}(a: number, b: number, c = 1): number {{
  const ratio = b === 0 ? 0 : a / b; // guarded division
  return Math.round((ratio * c + a / 7) * 1000) / 1000;
}}
'''

TS_HEAD = '''/*
 * {Noun} {verb} module (generated for the pperf benchmark corpus).
 * It is meant to look like a NestJS + Prisma service, not to compile.
 */
import {{ Body, Controller, Get, Injectable, Logger, NotFoundException, Param, Post, Query }} from "@nestjs/common";
import {{ PrismaService }} from "../prisma.service";
'''

GO_BLOCK = '''
// ---- {Noun} {verb} #{j}

type {Noun}{j} struct {{
	ID        int64     `gorm:"primaryKey" json:"id"`
	Status    string    `gorm:"size:16;index" json:"status"`
	TotalCents int64    `json:"totalCents"`
	Ref       string    `gorm:"size:64" json:"ref"`
	UpdatedAt time.Time `json:"updatedAt"`
}}

type {Noun}Store{j} struct {{
	db *sql.DB
}}

const {noun}ListSQL{j} = `SELECT id, status, total_cents, ref, updated_at
	FROM {noun}s
	WHERE status = $1
	ORDER BY id DESC
	LIMIT 50`

func (s *{Noun}Store{j}) List(ctx context.Context, status string) ([]{Noun}{j}, error) {{
	rows, err := s.db.QueryContext(ctx, {noun}ListSQL{j}, status)
	if err != nil {{
		return nil, fmt.Errorf("list {noun}s: %w", err)
	}}
	defer rows.Close()
	var out []{Noun}{j}
	for rows.Next() {{
		var x {Noun}{j}
		if err := rows.Scan(&x.ID, &x.Status, &x.TotalCents, &x.Ref, &x.UpdatedAt); err != nil {{
			return nil, err
		}}
		out = append(out, x)
	}}
	return out, rows.Err()
}}

func (s *{Noun}Store{j}) {Verb}(ctx context.Context, ids []int64) (int, error) {{
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {{
		return 0, err
	}}
	defer tx.Rollback()
	n := 0
	for _, id := range ids {{
		res, err := tx.ExecContext(ctx, `UPDATE {noun}s SET status = 'closed', updated_at = now() WHERE id = $1`, id)
		if err != nil {{
			return n, err
		}}
		if k, _ := res.RowsAffected(); k > 0 {{
			n++
		}}
	}}
	if err := tx.Commit(); err != nil {{
		return 0, err
	}}
	return n, nil
}}

func (h *Handler) list{Noun}s{j}(w http.ResponseWriter, r *http.Request) {{
	store := &{Noun}Store{j}{{db: h.db}}
	items, err := store.List(r.Context(), r.URL.Query().Get("status"))
	if err != nil {{
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(items)
}}

func (h *Handler) export{Noun}s{j}(w http.ResponseWriter, r *http.Request) {{
	store := &{Noun}Store{j}{{db: h.db}}
	items, err := store.List(r.Context(), "open")
	if err != nil {{
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}}
	out := "id,status,total\\n"
	for _, it := range items {{
		out += fmt.Sprintf("%d,%s,%d.%02d\\n", it.ID, it.Status, it.TotalCents/100, it.TotalCents%100)
	}}
	tags := len(strings.Split(r.URL.Query().Get("tags"), ","))
	w.Header().Set("X-Tags", strconv.Itoa(tags))
	_, _ = io.WriteString(w, out)
}}

func (h *Handler) gorm{Noun}s{j}(c *gin.Context) {{
	var rows []{Noun}{j}
	err := h.gdb.Transaction(func(tx *gorm.DB) error {{
		if err := tx.Where("status = ?", c.Query("status")).Find(&rows).Error; err != nil {{
			return err
		}}
		return tx.Model(&{Noun}{j}{{}}).Where("status = ?", "new").Update("status", "open").Error
	}})
	if err != nil {{
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{{"error": err.Error()}})
		return
	}}
	c.JSON(http.StatusOK, rows)
}}

func {noun}Worker{j}(ctx context.Context, s *{Noun}Store{j}, jobs <-chan []int64) {{
	ticker := time.NewTicker(30 * time.Second)
	defer ticker.Stop()
	for {{
		select {{
		case <-ctx.Done():
			return
		case ids := <-jobs:
			go func(batch []int64) {{
				if _, err := s.{Verb}(ctx, batch); err != nil {{
					log.Printf("{verb} %d {noun}s: %v", len(batch), err)
				}}
			}}(ids)
		case <-ticker.C:
			switch r := '\\n'; r {{
			case '\\t', '\\n':
				continue
			default:
				log.Println("tick")
			}}
		}}
	}}
}}
'''

GO_HEAD = '''// Package {area} holds the {noun} {verb} code (generated for the pperf
// benchmark corpus; it looks like a net/http + database/sql + GORM service).
package {area}

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"
)
'''

GO_HANDLER = '''// Package {area} (generated for the pperf benchmark corpus).
package {area}

import (
	"database/sql"

	"gorm.io/gorm"
)

type Handler struct {{
	db  *sql.DB
	gdb *gorm.DB
}}
'''


def module(rng, lang, noun, verb, area, blocks):
    d = {"noun": noun, "Noun": camel(noun), "verb": verb, "Verb": camel(verb), "area": area}
    parts = [(TS_HEAD if lang == "ts" else GO_HEAD).format(**d)]
    for _ in range(blocks):
        d["j"] = rng.randrange(10, 10**6)
        parts.append((TS_BLOCK if lang == "ts" else GO_BLOCK).format(**d))
    return "".join(parts)


def main(argv):
    ap = argparse.ArgumentParser(description="Generate a TypeScript or Go benchmark corpus for pperf.")
    ap.add_argument("lang", choices=["ts", "go"])
    ap.add_argument("n_lines", nargs="?", type=int, default=100000, metavar="N_LINES")
    ap.add_argument("outdir", nargs="?", default=None, metavar="OUTDIR")
    ap.add_argument("--seed", type=int, default=20240612)
    a = ap.parse_args(argv)
    out = a.outdir or "bench/corpus-" + a.lang
    rng = random.Random(a.seed)
    total = 0
    k = 0
    areas = ["api", "services", "jobs", "billing", "reports"]
    written_handler = set()
    while total < a.n_lines:
        noun, verb, area = rng.choice(NOUNS), rng.choice(VERBS), areas[k % len(areas)]
        text = module(rng, a.lang, noun, verb, area, rng.randint(1, 3))
        if a.lang == "ts":
            rel = os.path.join("src", area, "%s-%s-%d.service.ts" % (noun, verb, k))
        else:
            rel = os.path.join("internal", area, "%s_%s_%d.go" % (noun, verb, k))
            if area not in written_handler:
                written_handler.add(area)
                path = os.path.join(out, "internal", area, "handler.go")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(GO_HANDLER.format(area=area))
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        total += text.count("\n")
        k += 1
        if k % 25 == 0:  # a few tests, never audited
            if a.lang == "ts":
                tpath = os.path.join(out, "src", area, "%s-%d.spec.ts" % (noun, k))
                body = 'describe("%s", () => {\n  it("works", async () => {\n    let s = "";\n' \
                       '    for (const x of [1, 2]) {\n      s += `${x}`;\n    }\n    expect(s).toBe("12");\n  });\n});\n' % noun
            else:
                tpath = os.path.join(out, "internal", area, "%s_%d_test.go" % (noun, k))
                body = 'package %s\n\nimport "testing"\n\nfunc Test%s%d(t *testing.T) {\n\ts := ""\n' \
                       '\tfor _, x := range []string{"a", "b"} {\n\t\ts += x\n\t}\n\tif s != "ab" {\n\t\tt.Fatal(s)\n\t}\n}\n' \
                       % (area, camel(noun), k)
            with open(tpath, "w") as f:
                f.write(body)
    stamp = "pperf bench corpus: bench/gen_poly.py %s %d seed=%d" % (a.lang, a.n_lines, a.seed)
    if a.lang == "ts":
        with open(os.path.join(out, "package.json"), "w") as f:
            f.write('{\n  "description": "%s",\n  "name": "bench-ts",\n  "private": true,\n'
                    '  "dependencies": {\n    "@nestjs/common": "^10.3.0",\n    "@prisma/client": "^5.12.1",\n'
                    '    "express": "^4.19.2"\n  },\n  "devDependencies": {\n    "prisma": "^5.12.1"\n  }\n}\n' % stamp)
    else:
        with open(os.path.join(out, "go.mod"), "w") as f:
            f.write("// %s\nmodule example.org/bench\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n"
                    "\tgorm.io/gorm v1.25.9\n)\n" % stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
