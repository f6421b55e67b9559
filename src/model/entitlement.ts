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
  | {
      /** Membership of a group the target provisions (its `groups:` section), from one source membership. */
      readonly kind: 'membership'
      readonly target: string
      /** The target's group set the group belongs to. */
      readonly set: string
      /** The source group's key (`membership.group`); the engine finds the provisioned group's sync key. */
      readonly group: string
      /** Role as the target understands it: member, owner, learner, instructor, mentor. */
      readonly role: string
      /** The source membership's own role (student, teacher, mentor), for the plan's reason. */
      readonly sourceRole: string
      readonly rule: string
    }
