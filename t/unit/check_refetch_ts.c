/*
 * The TypeScript cross-function query checks (redundant_fetch,
 * unnecessary_resolve, wrong_caching_scope) over small projects on disk,
 * through the project index (lib/jsindex.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "../../audit-query/checks.h"

struct file {
	const char *path, *text;
};

struct pcase {
	const char *check;
	const struct file files[4];
	const char *want;  /* "file:line,..." or "" */
};

static const struct pcase cases[] = {
	/* 0: NestJS, a constructor-injected service loads the order again and changes it */
	{ "redundant_fetch",
	  { { "src/orders.service.ts",
	      "import { Injectable } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "import { InvoicesService } from './invoices.service';\n"
	      "@Injectable()\n"
	      "export class OrdersService {\n"
	      "  constructor(private readonly prisma: PrismaService, private readonly invoices: InvoicesService) {}\n"
	      "  async ship(id: number) {\n"
	      "    const order = await this.prisma.order.findUnique({ where: { id } });\n"
	      "    if (!order) throw new Error('missing');\n"
	      "    await this.invoices.issue(order.id);\n"
	      "  }\n"
	      "}\n" },
	    { "src/invoices.service.ts",
	      "import { Injectable } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "@Injectable()\n"
	      "export class InvoicesService {\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async issue(orderId: number) {\n"
	      "    const order = await this.prisma.order.findUniqueOrThrow({ where: { id: orderId } });\n"
	      "    await this.prisma.invoice.create({ data: { orderId: order.id, total: order.total, currency: order.currency, customerId: order.customerId } });\n"
	      "  }\n"
	      "}\n" } },
	  "src/invoices.service.ts:7" },
	/* 1: TypeORM, an imported function, a route callback */
	{ "redundant_fetch",
	  { { "src/routes.ts",
	      "import express from 'express';\n"
	      "import { dataSource } from './db';\n"
	      "import { User } from './user';\n"
	      "import { deactivate } from './accounts';\n"
	      "const app = express();\n"
	      "const users = dataSource.getRepository(User);\n"
	      "app.post('/users/:id/deactivate', async (req, res) => {\n"
	      "  const user = await users.findOneBy({ id: Number(req.params.id) });\n"
	      "  if (!user) return res.sendStatus(404);\n"
	      "  await deactivate(user.id);\n"
	      "  res.sendStatus(204);\n"
	      "});\n" },
	    { "src/accounts.ts",
	      "import { dataSource } from './db';\n"
	      "import { User } from './user';\n"
	      "export async function deactivate(userId: number): Promise<void> {\n"
	      "  const repo = dataSource.getRepository(User);\n"
	      "  const user = await repo.findOneOrFail({ where: { id: userId } });\n"
	      "  user.active = false;\n"
	      "  await repo.save(user);\n"
	      "}\n" } },
	  "src/accounts.ts:5" },
	/* 2: node-postgres repository functions */
	{ "redundant_fetch",
	  { { "src/app.ts",
	      "import { pool } from './db';\n"
	      "import { auditOrder } from './audit';\n"
	      "export async function closeOrder(id: number) {\n"
	      "  const { rows } = await pool.query('SELECT * FROM orders WHERE id = $1', [id]);\n"
	      "  const order = rows[0];\n"
	      "  if (!order) return;\n"
	      "  await auditOrder(order.id);\n"
	      "}\n" },
	    { "src/audit.ts",
	      "import { pool } from './db';\n"
	      "export async function auditOrder(orderId: number) {\n"
	      "  const { rows: [o] } = await pool.query('SELECT * FROM orders WHERE id = $1', [orderId]);\n"
	      "  console.log(`${o.status} ${o.total} ${o.customer_id} ${o.created_at}`);\n"
	      "}\n" } },
	  "src/audit.ts:3" },
	/* 3: the caller holds the entity as a typed parameter; new X() then x.m() */
	{ "redundant_fetch",
	  { { "src/handler.ts",
	      "import { Order } from './order.entity';\n"
	      "import { Pricing } from './pricing';\n"
	      "export async function reprice(order: Order) {\n"
	      "  const pricing = new Pricing();\n"
	      "  return pricing.recompute(order.id);\n"
	      "}\n" },
	    { "src/pricing.ts",
	      "import { dataSource } from './db';\n"
	      "import { Order } from './order.entity';\n"
	      "export class Pricing {\n"
	      "  async recompute(orderId: number) {\n"
	      "    const o = await dataSource.manager.findOneBy(Order, { id: orderId });\n"
	      "    o.total = o.net + o.tax;\n"
	      "    return dataSource.manager.save(o);\n"
	      "  }\n"
	      "}\n" },
	    { "src/order.entity.ts",
	      "import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';\n"
	      "@Entity()\n"
	      "export class Order {\n"
	      "  @PrimaryGeneratedColumn() id: number;\n"
	      "  @Column() total: number;\n"
	      "}\n" } },
	  "src/pricing.ts:5" },
	/* 4: JWT claims already carry the field */
	{ "unnecessary_resolve",
	  { { "src/agenda.service.ts",
	      "import { Injectable } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "import { AuthUser } from './auth';\n"
	      "@Injectable()\n"
	      "export class AgendaService {\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  private async tenantOf(staffId: number): Promise<number> {\n"
	      "    const staff = await this.prisma.staff.findUnique({ where: { id: staffId } });\n"
	      "    return staff.tenantId;\n"
	      "  }\n"
	      "  async today(user: AuthUser) {\n"
	      "    const tenantId = await this.tenantOf(user.sub);\n"
	      "    return this.prisma.slot.findMany({ where: { tenantId } });\n"
	      "  }\n"
	      "}\n" },
	    { "src/auth.ts",
	      "export interface AuthUser {\n"
	      "  sub: number;\n"
	      "  tenantId: number;\n"
	      "}\n" } },
	  "src/agenda.service.ts:8" },
	/* 5: a joined column of the caller's SQL row */
	{ "unnecessary_resolve",
	  { { "src/server.ts",
	      "import express from 'express';\n"
	      "import { pool } from './db';\n"
	      "const app = express();\n"
	      "async function teamName(teamId: number): Promise<string> {\n"
	      "  const { rows } = await pool.query('SELECT * FROM teams WHERE id = $1', [teamId]);\n"
	      "  return rows[0]?.name ?? 'none';\n"
	      "}\n"
	      "app.get('/tasks/:id', async (req, res) => {\n"
	      "  const { rows } = await pool.query(\n"
	      "    'SELECT t.id, t.title, t.team_id, g.name AS team_name FROM tasks t JOIN teams g ON g.id = t.team_id WHERE t.id = $1',\n"
	      "    [Number(req.params.id)],\n"
	      "  );\n"
	      "  const task = rows[0];\n"
	      "  const team = await teamName(task.team_id);\n"
	      "  res.json({ id: task.id, title: task.title, team });\n"
	      "});\n" } },
	  "src/server.ts:5" },
	/* 6: the relation was included by the caller */
	{ "unnecessary_resolve",
	  { { "src/visits.ts",
	      "import { prisma } from './db';\n"
	      "async function doctorName(doctorId: number) {\n"
	      "  const d = await prisma.doctor.findUniqueOrThrow({ where: { id: doctorId } });\n"
	      "  return d.name;\n"
	      "}\n"
	      "export async function summary(id: number) {\n"
	      "  const v = await prisma.visit.findUnique({ where: { id }, include: { doctor: true } });\n"
	      "  const name = await doctorName(v.doctorId);\n"
	      "  return `${v.reason} with ${name}`;\n"
	      "}\n" } },
	  "src/visits.ts:3" },
	/* 7: a request-scoped provider caches an aggregate */
	{ "wrong_caching_scope",
	  { { "src/rates.service.ts",
	      "import { Injectable, Scope } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "@Injectable({ scope: Scope.REQUEST })\n"
	      "export class RatesService {\n"
	      "  private rates = new Map<string, number>();\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async rate(code: string) {\n"
	      "    if (this.rates.size === 0) {\n"
	      "      const rows = await this.prisma.rate.groupBy({ by: ['code'], _avg: { value: true } });\n"
	      "      for (const r of rows) this.rates.set(r.code, r._avg.value ?? 0);\n"
	      "    }\n"
	      "    return this.rates.get(code);\n"
	      "  }\n"
	      "}\n" } },
	  "src/rates.service.ts:4" },
	/* 8: request scope bubbles from a provider injecting REQUEST to its dependant */
	{ "wrong_caching_scope",
	  { { "src/tenant.ts",
	      "import { Inject, Injectable } from '@nestjs/common';\n"
	      "import { REQUEST } from '@nestjs/core';\n"
	      "@Injectable()\n"
	      "export class TenantContext {\n"
	      "  constructor(@Inject(REQUEST) private readonly req: any) {}\n"
	      "}\n" },
	    { "src/labels.service.ts",
	      "import { Injectable } from '@nestjs/common';\n"
	      "import { TenantContext } from './tenant';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "@Injectable()\n"
	      "export class LabelsService {\n"
	      "  private labels: string[] | null = null;\n"
	      "  constructor(private readonly tenant: TenantContext, private readonly prisma: PrismaService) {}\n"
	      "  async all() {\n"
	      "    if (!this.labels) {\n"
	      "      this.labels = (await this.prisma.label.findMany({ orderBy: { name: 'asc' } })).map((l) => l.name);\n"
	      "    }\n"
	      "    return this.labels;\n"
	      "  }\n"
	      "}\n" } },
	  "src/labels.service.ts:5" },
	/* 9: an Express route builds the caching object per request */
	{ "wrong_caching_scope",
	  { { "src/estimator.ts",
	      "import type { Pool } from 'pg';\n"
	      "export class Estimator {\n"
	      "  private avg?: number;\n"
	      "  constructor(private readonly pool: Pool) {}\n"
	      "  async estimate(n: number) {\n"
	      "    if (this.avg === undefined) {\n"
	      "      const { rows } = await this.pool.query('SELECT AVG(cost) AS a FROM jobs');\n"
	      "      this.avg = rows[0].a;\n"
	      "    }\n"
	      "    return n * (this.avg ?? 1);\n"
	      "  }\n"
	      "}\n" },
	    { "src/server.ts",
	      "import express from 'express';\n"
	      "import { pool } from './db';\n"
	      "import { Estimator } from './estimator';\n"
	      "const app = express();\n"
	      "app.get('/estimate', async (req, res) => {\n"
	      "  const est = new Estimator(pool);\n"
	      "  res.json({ cost: await est.estimate(Number(req.query.n)) });\n"
	      "});\n" } },
	  "src/estimator.ts:2" },

	/* ---- negatives */
	/* 10: across a BullMQ queue: the worker loads by the job's payload */
	{ "redundant_fetch",
	  { { "src/orders.ts",
	      "import { Queue, Worker } from 'bullmq';\n"
	      "import { prisma } from './db';\n"
	      "const queue = new Queue('ship');\n"
	      "export async function ship(id: number) {\n"
	      "  const order = await prisma.order.findUnique({ where: { id } });\n"
	      "  await queue.add('ship', { orderId: order.id });\n"
	      "  await prisma.$executeRaw`SELECT pg_notify('orders', ${String(order.id)})`;\n"
	      "}\n"
	      "export const worker = new Worker('ship', async (job) => {\n"
	      "  const order = await prisma.order.findUnique({ where: { id: job.data.orderId } });\n"
	      "  order.status = 'shipped';\n"
	      "  await prisma.order.update({ where: { id: order.id }, data: { status: order.status, at: order.at } });\n"
	      "});\n" } },
	  "" },
	/* 11: the caller only created the row; another model; an untyped receiver */
	{ "redundant_fetch",
	  { { "src/a.ts",
	      "import { prisma } from './db';\n"
	      "import { rebuild, customerStats } from './b';\n"
	      "export async function create(data: any, helper) {\n"
	      "  const o = await prisma.order.create({ data });\n"
	      "  await rebuild(o.id);\n"
	      "  const p = await prisma.order.findUnique({ where: { id: data.id } });\n"
	      "  await customerStats(p.customerId);\n"
	      "  await helper.rebuild(p.id);\n"
	      "}\n" },
	    { "src/b.ts",
	      "import { prisma } from './db';\n"
	      "export async function rebuild(orderId: number) {\n"
	      "  const o = await prisma.order.findUnique({ where: { id: orderId } });\n"
	      "  o.total = o.a + o.b;\n"
	      "  await prisma.order.update({ where: { id: o.id }, data: { total: o.total } });\n"
	      "}\n"
	      "export async function customerStats(customerId: number) {\n"
	      "  const c = await prisma.customer.findUnique({ where: { id: customerId } });\n"
	      "  c.visits += 1;\n"
	      "  await prisma.customer.update({ where: { id: c.id }, data: { visits: c.visits } });\n"
	      "}\n" } },
	  "" },
	/* 12: the caller changed the row before the call; a lookup function; one field read */
	{ "redundant_fetch",
	  { { "src/a.ts",
	      "import { dataSource } from './db';\n"
	      "import { Ticket } from './ticket';\n"
	      "import { reload, getTicket, titleOf } from './b';\n"
	      "const repo = dataSource.getRepository(Ticket);\n"
	      "export async function close(id: number) {\n"
	      "  const t = await repo.findOneBy({ id });\n"
	      "  t.status = 'closed';\n"
	      "  await repo.save(t);\n"
	      "  await reload(t.id);\n"
	      "  await getTicket(t.id);\n"
	      "  await titleOf(t.id);\n"
	      "}\n" },
	    { "src/b.ts",
	      "import { dataSource } from './db';\n"
	      "import { Ticket } from './ticket';\n"
	      "const repo = dataSource.getRepository(Ticket);\n"
	      "export async function reload(ticketId: number) {\n"
	      "  const t = await repo.findOneBy({ id: ticketId });\n"
	      "  return { s: t.status, a: t.assignee, p: t.priority };\n"
	      "}\n"
	      "export async function getTicket(ticketId: number) {\n"
	      "  const t = await repo.findOneBy({ id: ticketId });\n"
	      "  return t;\n"
	      "}\n"
	      "export async function titleOf(ticketId: number) {\n"
	      "  const t = await repo.findOneBy({ id: ticketId });\n"
	      "  return t.title;\n"
	      "}\n" } },
	  "" },
	/* 13: client input is not the stored row; more than two fields read */
	{ "unnecessary_resolve",
	  { { "src/c.controller.ts",
	      "import { Body, Controller, Post } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "import { CreateNoteDto } from './dto';\n"
	      "import { AuthUser } from './auth';\n"
	      "@Controller('notes')\n"
	      "export class NotesController {\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  private async authorName(authorId: number) {\n"
	      "    const a = await this.prisma.author.findUnique({ where: { id: authorId } });\n"
	      "    return a.name;\n"
	      "  }\n"
	      "  private async badge(authorId: number) {\n"
	      "    const a = await this.prisma.author.findUnique({ where: { id: authorId } });\n"
	      "    return `${a.name} ${a.email} ${a.role}`;\n"
	      "  }\n"
	      "  @Post()\n"
	      "  async create(@Body() dto: CreateNoteDto, user: AuthUser) {\n"
	      "    const n = await this.authorName(dto.authorId);\n"
	      "    const b = await this.badge(user.sub);\n"
	      "    return { n, b };\n"
	      "  }\n"
	      "}\n" },
	    { "src/dto.ts", "export class CreateNoteDto {\n  authorId: number;\n  name: string;\n}\n" },
	    { "src/auth.ts", "export interface AuthUser {\n  sub: number;\n  name: string;\n  email: string;\n  role: string;\n}\n" } },
	  "" },
	/* 14: default providers, module-level instances, a router set up once, a memo of the current user */
	{ "wrong_caching_scope",
	  { { "src/a.ts",
	      "import { Injectable, Inject, Scope } from '@nestjs/common';\n"
	      "import { REQUEST } from '@nestjs/core';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "@Injectable()\n"
	      "export class CountryService {\n"
	      "  private names: string[] | null = null;\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async all() {\n"
	      "    if (!this.names) this.names = (await this.prisma.country.findMany()).map((c) => c.name);\n"
	      "    return this.names;\n"
	      "  }\n"
	      "}\n"
	      "@Injectable({ scope: Scope.REQUEST })\n"
	      "export class CurrentUser {\n"
	      "  private user: any;\n"
	      "  constructor(@Inject(REQUEST) private readonly req: any, private readonly prisma: PrismaService) {}\n"
	      "  async get() {\n"
	      "    if (!this.user) this.user = await this.prisma.user.findUnique({ where: { id: this.req.user.id } });\n"
	      "    return this.user;\n"
	      "  }\n"
	      "  private tenant: any;\n"
	      "  async currentTenant() {\n"
	      "    return (this.tenant ?\?= await this.prisma.tenant.findFirst({ where: { host: this.req.hostname } }));\n"
	      "  }\n"
	      "}\n" },
	    { "src/server.ts",
	      "import express from 'express';\n"
	      "import { pool } from './db';\n"
	      "import { Estimator } from './estimator';\n"
	      "const app = express();\n"
	      "const shared = new Estimator(pool);\n"
	      "export function routes(router: express.Router) {\n"
	      "  const perRouter = new Estimator(pool);\n"
	      "  router.get('/a', async (_req, res) => res.json(await perRouter.estimate(1)));\n"
	      "}\n"
	      "app.get('/estimate', async (req, res) => {\n"
	      "  res.json({ cost: await shared.estimate(Number(req.query.n)) });\n"
	      "});\n" },
	    { "src/estimator.ts",
	      "import type { Pool } from 'pg';\n"
	      "export class Estimator {\n"
	      "  private avg?: number;\n"
	      "  constructor(private readonly pool: Pool) {}\n"
	      "  async estimate(n: number) {\n"
	      "    if (this.avg === undefined) {\n"
	      "      const { rows } = await this.pool.query('SELECT AVG(cost) AS a FROM jobs');\n"
	      "      this.avg = rows[0].a;\n"
	      "    }\n"
	      "    return n * (this.avg ?? 1);\n"
	      "  }\n"
	      "}\n" } },
	  "" },
	/* ---- the negatives above with the one fact changed that made them negative */
	/* 15: case 14's singleton made request-scoped (a one-line memo fill) */
	{ "wrong_caching_scope",
	  { { "src/a.ts",
	      "import { Injectable, Scope } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "@Injectable({ scope: Scope.TRANSIENT })\n"
	      "export class CountryService {\n"
	      "  private names: string[] | null = null;\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async all() {\n"
	      "    if (!this.names) this.names = (await this.prisma.country.findMany()).map((c) => c.name);\n"
	      "    return this.names;\n"
	      "  }\n"
	      "}\n" } },
	  "src/a.ts:4" },
	/* 16: case 12 without the change before the call */
	{ "redundant_fetch",
	  { { "src/a.ts",
	      "import { dataSource } from './db';\n"
	      "import { Ticket } from './ticket';\n"
	      "import { reload } from './b';\n"
	      "const repo = dataSource.getRepository(Ticket);\n"
	      "export async function close(id: number) {\n"
	      "  const t = await repo.findOneBy({ id });\n"
	      "  await reload(t.id);\n"
	      "}\n" },
	    { "src/b.ts",
	      "import { dataSource } from './db';\n"
	      "import { Ticket } from './ticket';\n"
	      "const repo = dataSource.getRepository(Ticket);\n"
	      "export async function reload(ticketId: number) {\n"
	      "  const t = await repo.findOneBy({ id: ticketId });\n"
	      "  return { s: t.status, a: t.assignee, p: t.priority };\n"
	      "}\n" } },
	  "src/b.ts:5" },
	/* 17: case 13 with the claims passed to the one-field lookup */
	{ "unnecessary_resolve",
	  { { "src/c.controller.ts",
	      "import { Controller, Post } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "import { AuthUser } from './auth';\n"
	      "@Controller('notes')\n"
	      "export class NotesController {\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  private async authorName(authorId: number) {\n"
	      "    const a = await this.prisma.author.findUnique({ where: { id: authorId } });\n"
	      "    return a.name;\n"
	      "  }\n"
	      "  @Post()\n"
	      "  async create(user: AuthUser) {\n"
	      "    return this.authorName(user.sub);\n"
	      "  }\n"
	      "}\n" },
	    { "src/auth.ts", "export interface AuthUser {\n  sub: number;\n  name: string;\n}\n" } },
	  "src/c.controller.ts:8" },
	/* 18: knex lookups, TypeORM 0.2 findOne(id) through an injected repository class */
	{ "redundant_fetch",
	  { { "src/a.ts",
	      "import { knex } from './db';\n"
	      "import { refund } from './b';\n"
	      "export async function cancel(id: number) {\n"
	      "  const payment = await knex('payments').where({ id }).first();\n"
	      "  if (!payment) return;\n"
	      "  await refund(payment.id);\n"
	      "}\n" },
	    { "src/b.ts",
	      "import { knex } from './db';\n"
	      "export async function refund(paymentId: number) {\n"
	      "  const p = await knex('payments').where('id', paymentId).first();\n"
	      "  await gateway.refund(p.provider, p.reference, p.amount);\n"
	      "}\n" } },
	  "src/b.ts:3" },
	/* 19: the caller loaded only some columns, or loaded the row on another branch */
	{ "redundant_fetch",
	  { { "src/a.ts",
	      "import { prisma } from './db';\n"
	      "import { settle } from './b';\n"
	      "export async function pay(id: number, fresh: boolean) {\n"
	      "  const o = await prisma.order.findUnique({ where: { id }, select: { id: true, status: true } });\n"
	      "  await settle(o.id);\n"
	      "  if (fresh) {\n"
	      "    const again = await prisma.order.findFirst({ where: { id } });\n"
	      "    console.log(again.status);\n"
	      "  }\n"
	      "  await settle(id);\n"
	      "}\n" },
	    { "src/b.ts",
	      "import { prisma } from './db';\n"
	      "export async function settle(orderId: number) {\n"
	      "  const o = await prisma.order.findUniqueOrThrow({ where: { id: orderId } });\n"
	      "  o.total = o.net + o.tax;\n"
	      "  await prisma.order.update({ where: { id: o.id }, data: { total: o.total } });\n"
	      "}\n" } },
	  "" },
	/* 20: TypeORM 0.2 findOne(id) in a service of a constructor-injected class */
	{ "redundant_fetch",
	  { { "src/article.service.ts",
	      "import { Injectable } from '@nestjs/common';\n"
	      "import { Repository } from 'typeorm';\n"
	      "import { ArticleEntity } from './article.entity';\n"
	      "import { FeedService } from './feed.service';\n"
	      "@Injectable()\n"
	      "export class ArticleService {\n"
	      "  constructor(private readonly articleRepository: Repository<ArticleEntity>, private feed: FeedService) {}\n"
	      "  async favorite(id: number) {\n"
	      "    const article = await this.articleRepository.findOne(id);\n"
	      "    await this.feed.push(article.id);\n"
	      "  }\n"
	      "}\n" },
	    { "src/feed.service.ts",
	      "import { Injectable } from '@nestjs/common';\n"
	      "import { Repository } from 'typeorm';\n"
	      "import { ArticleEntity } from './article.entity';\n"
	      "@Injectable()\n"
	      "export class FeedService {\n"
	      "  constructor(private readonly articleRepository: Repository<ArticleEntity>) {}\n"
	      "  async push(articleId: number) {\n"
	      "    const a = await this.articleRepository.findOne(articleId);\n"
	      "    return { title: a.title, slug: a.slug, author: a.authorId };\n"
	      "  }\n"
	      "}\n" } },
	  "src/feed.service.ts:8" },
	/* 21: a request-scoped class that reloads each time (its guard is another field) is no
	 * cache; this.x ??= await query is one */
	{ "wrong_caching_scope",
	  { { "src/a.ts",
	      "import { Injectable, Scope } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "@Injectable({ scope: Scope.REQUEST })\n"
	      "export class Items {\n"
	      "  private closed = false;\n"
	      "  private items: unknown[] = [];\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async load() {\n"
	      "    if (this.closed) throw new Error('closed');\n"
	      "    this.items = await this.prisma.item.findMany();\n"
	      "    return this.items;\n"
	      "  }\n"
	      "}\n"
	      "@Injectable({ scope: Scope.REQUEST })\n"
	      "export class Tags {\n"
	      "  private tags?: unknown[];\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async all() {\n"
	      "    return (this.tags ?\?= await this.prisma.tag.findMany());\n"
	      "  }\n"
	      "}\n" } },
	  "src/a.ts:15" },
	/* 22: node-postgres repository functions on both sides (a store class injected by type) */
	{ "redundant_fetch",
	  { { "src/orders.repo.ts",
	      "import { pool } from './db';\n"
	      "export class OrdersRepo {\n"
	      "  async byId(id: number) {\n"
	      "    const { rows } = await pool.query('SELECT * FROM orders WHERE id = $1', [id]);\n"
	      "    return rows[0];\n"
	      "  }\n"
	      "}\n" },
	    { "src/fulfil.ts",
	      "import { OrdersRepo } from './orders.repo';\n"
	      "export class Fulfilment {\n"
	      "  constructor(private readonly orders: OrdersRepo) {}\n"
	      "  async pack(orderId: number) {\n"
	      "    const order = await this.orders.byId(orderId);\n"
	      "    return { sku: order.sku, qty: order.qty, address: order.address };\n"
	      "  }\n"
	      "  async start(id: number) {\n"
	      "    const order = await this.orders.byId(id);\n"
	      "    if (order.status !== 'paid') return null;\n"
	      "    return this.pack(order.id);\n"
	      "  }\n"
	      "}\n" } },
	  "src/fulfil.ts:5" },
	/* 23: Express route, an exported module-level service instance, the same key expression */
	{ "redundant_fetch",
	  { { "src/routes/orders.ts",
	      "import { Router } from 'express';\n"
	      "import { prisma } from '../db';\n"
	      "import { orderService } from '../services/order.service';\n"
	      "export const router = Router();\n"
	      "router.post('/orders/:id/recalc', async (req, res) => {\n"
	      "  const order = await prisma.order.findUnique({ where: { id: Number(req.params.id) } });\n"
	      "  if (!order) return res.sendStatus(404);\n"
	      "  res.json(await orderService.recalc(Number(req.params.id)));\n"
	      "});\n" },
	    { "src/services/order.service.ts",
	      "import { prisma } from '../db';\n"
	      "export class OrderService {\n"
	      "  async recalc(orderId: number) {\n"
	      "    const o = await prisma.order.findUniqueOrThrow({ where: { id: orderId }, include: { lines: true } });\n"
	      "    const total = o.lines.reduce((s, l) => s + l.amount, 0);\n"
	      "    return prisma.order.update({ where: { id: o.id }, data: { total: total - o.discount, currency: o.currency } });\n"
	      "  }\n"
	      "}\n"
	      "export const orderService = new OrderService();\n" } },
	  "src/services/order.service.ts:4" },
	/* 24: the caller loaded the same row and the callee reads one field of it */
	{ "unnecessary_resolve",
	  { { "src/mail.ts",
	      "import { dataSource } from './db';\n"
	      "import { User } from './user.entity';\n"
	      "const users = dataSource.getRepository(User);\n"
	      "async function emailOf(userId: number) {\n"
	      "  const u = await users.findOneByOrFail({ id: userId });\n"
	      "  return u.email;\n"
	      "}\n"
	      "export async function welcome(id: number) {\n"
	      "  const user = await users.findOneBy({ id });\n"
	      "  if (!user) return;\n"
	      "  await send(await emailOf(user.id), `Hello ${user.name}`);\n"
	      "}\n" } },
	  "src/mail.ts:5" },
	/* 25: a NestJS controller method builds the caching object per request */
	{ "wrong_caching_scope",
	  { { "src/report.controller.ts",
	      "import { Controller, Get } from '@nestjs/common';\n"
	      "import { PrismaService } from './prisma.service';\n"
	      "class Totals {\n"
	      "  private byRegion = new Map<string, number>();\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  async of(region: string) {\n"
	      "    if (!this.byRegion.has(region)) {\n"
	      "      const r = await this.prisma.sale.aggregate({ where: { region }, _sum: { amount: true } });\n"
	      "      this.byRegion.set(region, r._sum.amount ?? 0);\n"
	      "    }\n"
	      "    return this.byRegion.get(region);\n"
	      "  }\n"
	      "}\n"
	      "@Controller('reports')\n"
	      "export class ReportController {\n"
	      "  constructor(private readonly prisma: PrismaService) {}\n"
	      "  @Get('totals')\n"
	      "  async totals() {\n"
	      "    const t = new Totals(this.prisma);\n"
	      "    return { eu: await t.of('eu'), us: await t.of('us') };\n"
	      "  }\n"
	      "}\n" } },
	  "src/report.controller.ts:3" },
};

START_TEST(project)
{
	const struct pcase *pc = &cases[_i];
	struct proj p;
	struct finding_list fl;
	json_t *ctx;
	char buf[1024];
	size_t k;
	proj_init(&p);
	for (k = 0; k < 4 && pc->files[k].path; k++)
		proj_put(&p, pc->files[k].path, pc->files[k].text);
	ctx = proj_context(&p, NULL);
	ck_assert_msg(!strcmp(proj_lines(&query_auditor, pc->check, ctx, &fl, buf, sizeof(buf)), pc->want),
		      "case %d (%s): got \"%s\", want \"%s\"", _i, pc->check, buf, pc->want);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

/* The message names the callee, the caller and the model; the severity follows the caller. */
START_TEST(text_and_severity)
{
	struct proj p;
	struct finding_list fl;
	json_t *ctx;
	char buf[512];
	size_t k;
	proj_init(&p);
	for (k = 0; k < 2; k++)
		proj_put(&p, cases[1].files[k].path, cases[1].files[k].text);
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, "redundant_fetch", ctx, &fl, buf, sizeof(buf)), "src/accounts.ts:5");
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	ck_assert_ptr_nonnull(strstr(fl.v[0].issue, "deactivate() loads User by its userId parameter"));
	ck_assert_ptr_nonnull(strstr(fl.v[0].issue, "src/routes.ts:10"));
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

/* One in-memory file (no context): the index holds the buffer itself. */
START_TEST(buffer)
{
	static const char src[] =
		"import { prisma } from './db';\n"
		"async function bill(orderId: number) {\n"
		"  const o = await prisma.order.findUniqueOrThrow({ where: { id: orderId } });\n"
		"  o.billed = true;\n"
		"  await prisma.order.update({ where: { id: o.id }, data: { billed: o.billed } });\n"
		"}\n"
		"export async function close(id: number) {\n"
		"  const order = await prisma.order.findUnique({ where: { id } });\n"
		"  await bill(order.id);\n"
		"}\n";
	struct finding_list fl;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, "redundant_fetch", "src/a.ts", src, strlen(src), NULL,
						 &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 3);
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	finding_list_free(&fl);
}
END_TEST

Suite *suite_refetch_ts(void)
{
	Suite *s = suite_create("refetch_ts");
	TCase *tc = tcase_create("projects");
	tcase_add_loop_test(tc, project, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, text_and_severity);
	tcase_add_test(tc, buffer);
	suite_add_tcase(s, tc);
	return s;
}
