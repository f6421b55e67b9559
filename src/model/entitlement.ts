/** What a rule grants: an account in a target, or a permission (group, course, role, licence) there. */
export type Entitlement =
  | { readonly kind: 'account'; readonly target: string; readonly rule: string }
  | {
      readonly kind: 'permission'
      readonly target: string
      /** Permission type as the target understands it: `group`, `role`, `licence`, `course`. */
      readonly type: string
      /** The target-side identifier of the permission (group DN, role key, …). */
      readonly id: string
      readonly rule: string
    }
