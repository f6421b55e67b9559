// The school the provisioned-group tests share (issue 14): lesson groups with a subject and a code, pupils and
// teachers as their members, and per-membership rules that give pupils one role and teachers another.
import type { Group, Membership, Person } from '../../src/model/index.ts'
import type { RuleSpec } from '../../src/rules/index.ts'
import { pupil } from './engine-fixture.ts'

export const lesgroep = (
  key: string,
  subject: string,
  code: string,
  schoolYear = '2026-2027',
): Group => ({
  kind: 'group',
  key,
  type: 'teaching-group',
  name: key,
  code,
  schoolYear,
  attributes: { subject },
})

export const member = (
  group: string,
  role: Membership['role'] = 'student',
  window: Partial<Membership> = {},
): Membership => ({ group, role, ...window })

export const teacher = (
  key: string,
  given: string,
  family: string,
  memberships: Membership[],
): Person => ({
  ...pupil(key, given, family, '-', { role: 'teacher', kind: 'employment' }),
  memberships,
})

/** An account for every pupil and teacher in target `dir`; pupils and teachers of a group get their roles in it. */
export function membershipRules(
  groups: string,
  pupils: { readonly rule: string; readonly role: string },
  teachers: { readonly rule: string; readonly role: string },
): RuleSpec[] {
  const rule = (name: string, sourceRole: string, role: string): RuleSpec => ({
    name,
    for: 'membership',
    when: `membership.role == "${sourceRole}"`,
    grant: [{ member: { target: 'dir', groups, role } }],
  })
  return [
    {
      name: 'accounts',
      when: 'contract.role == "student" || contract.role == "teacher"',
      grant: [{ account: 'dir' }],
    },
    rule(pupils.rule, 'student', pupils.role),
    rule(teachers.rule, 'teacher', teachers.role),
  ]
}
