#!/usr/bin/env node
'use strict'
const express = require('express')
const app = express()
const re = /ab+c\/[/]/gi, d = a / b / c
app.get('/users/:id', async (req, res, next) => {
  try {
    const rows = await Promise.all(ids.map(async id => db.query('SELECT * FROM t WHERE id = $1', [id])))
    res.json(rows.filter(Boolean).map((r) => ({ ...r, n: r.n ?? 0 })))
  } catch (err) {
    next(err)
  } finally {
    client.release()
  }
})
router.route('/x').get(handler).post(function create(req, res) { res.send(`ok ${req.body?.id}`) })
module.exports = { async list(req, res) { return res.send(await knex('users').where({ a: 1 }).first()) } }
label: for (let i = 0; i < n; i++) { if (i % 2) continue label; else if (i > 3) break; else x() }
do { y() } while (z())
switch (k) { case 1: a(); break; case 'x': { b() } default: c() }
