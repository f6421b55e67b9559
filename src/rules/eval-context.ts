/**
 * The inputs of one evaluation (a person with one contract, today, …) shared by every expression evaluated for
 * it: each tuple id is looked up once per distinct set of paths however many rules read that set, and the
 * CEL view of the inputs is built only when some expression misses its cache.
 */
import { NOT_KEYABLE, type Roots, type TupleIndex } from './tuple-key.ts'

export class EvalContext {
  readonly roots: Roots
  readonly #makeActivation: () => Roots
  #activation: Roots | undefined
  #shared: Map<object, unknown> | undefined
  /** Per tuple index id: the tuple id, a hole when not looked up yet. */
  readonly #ids: number[] = []

  constructor(roots: Roots, makeActivation: () => Roots) {
    this.roots = roots
    this.#makeActivation = makeActivation
  }

  /** The tuple id in an index, or NOT_KEYABLE (-1). */
  tupleId(index: TupleIndex): number {
    let id = this.#ids[index.id]
    if (id === undefined) this.#ids[index.id] = id = index.idOf(this.roots)
    return id
  }

  /** Outcomes of expressions that several attributes share, by evaluator (see compile-mapping.ts). */
  get shared(): Map<object, unknown> {
    return (this.#shared ??= new Map())
  }

  activation(): Roots {
    return (this.#activation ??= this.#makeActivation())
  }
}

export { NOT_KEYABLE }
