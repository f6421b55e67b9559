import type { Scalar } from './values.ts'

export type GroupType =
  | 'board'
  | 'school'
  | 'location'
  | 'school-year'
  | 'class'
  | 'teaching-group'
  | 'course'
  | 'department'
  | 'other'

/** A class (stamgroep), teaching group (lesgroep/cluster), course, department, school or school year. */
export interface Group {
  readonly kind: 'group'
  readonly key: string
  readonly type: GroupType
  readonly name: string
  readonly code?: string
  readonly parent?: string
  readonly schoolYear?: string
  readonly attributes: Readonly<Record<string, Scalar>>
}
