import type { Reservation, Usage } from '@bulwark/core';
import type { BudgetHold } from './budget-tracker.js';
import type { Amounts, ClassState } from './class-state.js';

/** What settles a reservation: called once, with the real usage, or without it for a release. */
export interface ReservationSettler {
  settle(reservation: LimiterReservation, usage: Usage | undefined, partial: boolean): void;
}

/** Capacity held for one call. Only the first of reconcile or release counts. */
export class LimiterReservation implements Reservation {
  settled = false;

  constructor(
    readonly model: string,
    readonly requestId: string | undefined,
    readonly state: ClassState,
    readonly amounts: Amounts,
    readonly budgetHold: BudgetHold | undefined,
    private readonly settler: ReservationSettler,
  ) {}

  get inputTokens(): number {
    return this.amounts.input_tokens;
  }

  get outputTokens(): number {
    return this.amounts.output_tokens;
  }

  reconcile(usage: Usage, { partial = false }: { partial?: boolean } = {}): void {
    this.settle(usage, partial);
  }

  release(): void {
    this.settle(undefined, false);
  }

  private settle(usage: Usage | undefined, partial: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.settler.settle(this, usage, partial);
  }
}
