import { Body, Controller, Get, Param, Post } from '@nestjs/common';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService, @Inject(forwardRef(() => X)) private x: X) {}

  @Get(':id')
  async findOne(@Param('id') id: string): Promise<Order | null> {
    const order = await this.prisma.order.findUnique({ where: { id }, include: { items: true } });
    return order!;
  }

  @Post()
  create(@Body() dto: CreateOrderDto) {
    return this.prisma.$transaction(async (tx) => {
      for (const item of dto.items) {
        await tx.item.create({ data: item });
      }
    }, { timeout: 10_000 });
  }

  private cache = new Map<string, Array<number>>();
  get size(): number { return this.cache.size }
  static async *gen<T>(xs: T[]) { yield* xs }
}
