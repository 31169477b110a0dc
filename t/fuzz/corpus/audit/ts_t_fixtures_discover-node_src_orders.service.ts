import { Injectable } from '@nestjs/common';

@Injectable()
export class OrdersService {
  async status(id: number): Promise<string> {
    return `order ${id}`;
  }
}
