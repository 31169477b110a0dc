import express from "express";
import { readFileSync } from "fs";
import { Pool } from "pg";

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();

app.get("/orders.csv", async (req, res) => {
  const { rows } = await pool.query("SELECT id, total, status FROM orders ORDER BY id");
  let csv = "id,total,status\n";
  for (const row of rows) {
    csv += `${row.id},${row.total},${row.status}\n`;
  }
  res.type("text/csv").send(csv);
});

app.get("/banner", async (req, res) => {
  const banner = readFileSync("/etc/storefront/banner.html", "utf8");
  res.send(banner);
});

app.get("/orders/open-count", async (req, res) => {
  const { rows } = await pool.query("SELECT id, status FROM orders WHERE created_at > now() - interval '1 day'");
  const open = rows.filter((r) => r.status === "open").length;
  res.json({ open });
});

app.listen(3000);
