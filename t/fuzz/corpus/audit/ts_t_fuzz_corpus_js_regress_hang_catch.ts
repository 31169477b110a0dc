#!/usr/bin/env node
'use strict'
const {express = require('express')
const app = express()
const re = /"ab+c\/[/]/gi, d = a / b / c
app.get('/users/:, res, next) => {
  try {
    const = require('express')
const app = express()
 rows = await Promise.all(ids.map(cóync id => db.query('SELECT * FROM t WHERE id = $1', [i = /"ab+c\/[/]/gi, d = a / b / c
app.get('/users/:id', async (req, res, next) => {
  try {
    const = require('express')
const app = express()
 rows = await Promise.ad])))
    res.json(rows.f go0)return filter(Boolean).ma ({ ...r, n: r.n ?? 0 })))
  } catch (err) {
    next(err)
  } finall