import { modelClassOf } from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import type { RateLimits } from '../options.js';
import type { RateLimitStore } from '../store.js';
import type { Waiter } from './admission-queue.js';
import { type ClassState, type LimitSources, refreshLimits } from './class-state.js';
import { WaitQueue } from './wait-queue.js';

export interface ModelClassesSettings {
  limits: RateLimits;
  limitsByModelClass: Readonly<Record<string, RateLimits>>;
  modelClasses: Readonly<Record<string, string>>;
  defaultModelClass: string | undefined;
  learnLimitsFromHeaders: boolean;
  initialLimits: Omit<RateLimits, 'maxInFlight'>;
  namespace: string;
  priorityAgingMs: number;
  store: RateLimitStore;
  /** A shared store announced a refund to `state`: its waiters look again. */
  onRefund(state: ClassState<Waiter>): void;
}

/** The model classes the limiter has seen, each with its state, made on first use. */
export class ModelClasses {
  private readonly classOfModel = new Map<string, string>();
  private readonly states = new Map<string, ClassState<Waiter>>();
  private readonly limitSources: LimitSources;

  constructor(private readonly settings: ModelClassesSettings) {
    const { learnLimitsFromHeaders, initialLimits } = settings;
    this.limitSources = { learnLimitsFromHeaders, initialLimits };
  }

  /** The class of `model`; throws `InvalidArgumentError` for an id nothing maps. */
  classOf(model: string): string {
    let modelClass = this.classOfModel.get(model);
    if (modelClass !== undefined) return modelClass;
    modelClass = this.settings.modelClasses[model] ?? modelClassOf(model) ?? this.settings.defaultModelClass;
    if (modelClass === undefined) {
      throw invalidArgument(
        'request.model',
        'a Claude model id, a key of `modelClasses`, or any id when `defaultModelClass` is set',
        model,
      );
    }
    this.classOfModel.set(model, modelClass);
    return modelClass;
  }

  /** The class of a model already seen (for prices by class), without refusing any id. */
  knownClassOf(model: string): string | undefined {
    return this.classOfModel.get(model);
  }

  /** The state of `model`'s class. */
  stateOf(model: string): ClassState<Waiter> {
    const modelClass = this.classOf(model);
    return this.states.get(modelClass) ?? this.create(modelClass);
  }

  /** Recomputes a class's limits after what they derive from changed. */
  refreshLimits(state: ClassState): void {
    refreshLimits(state, this.limitSources);
  }

  all(): IterableIterator<ClassState<Waiter>> {
    return this.states.values();
  }

  /** Stops every class's timer and store subscription. */
  close(): void {
    for (const state of this.states.values()) {
      state.unsubscribe?.();
      state.unsubscribe = undefined;
      state.wakeTimer?.cancel();
      state.wakeTimer = undefined;
    }
  }

  private create(modelClass: string): ClassState<Waiter> {
    const { limits, limitsByModelClass, namespace, priorityAgingMs, store } = this.settings;
    const state: ClassState<Waiter> = {
      modelClass,
      scope: { namespace, modelClass },
      configured: { ...limits, ...limitsByModelClass[modelClass] },
      learnt: {},
      heardFromServer: false,
      effective: {},
      maxInFlight: 1,
      queue: new WaitQueue<Waiter>(priorityAgingMs),
      pumping: false,
      dirty: false,
      wakeTimer: undefined,
      inFlight: 0,
      pending: { requests: 0, input_tokens: 0, output_tokens: 0 },
      scratch: [],
      unsubscribe: undefined,
    };
    refreshLimits(state, this.limitSources);
    state.unsubscribe = store.subscribe?.(state.scope, () => this.settings.onRefund(state));
    this.states.set(modelClass, state);
    return state;
  }
}
