import { OrdersService } from './orders.service';

it('works', async () => {
  expect(await new OrdersService().status(1)).toBe('order 1');
});
