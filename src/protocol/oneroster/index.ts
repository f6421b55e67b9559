// OneRoster semantics shared by the OneRoster bindings (the CSV and REST connectors): records → Koppel groups,
// contracts, memberships and Dutch names. Format-independent: each connector reads its format into the records.
export * from './dutch-name-prefix.ts'
export * from './oneroster-contracts.ts'
export * from './oneroster-groups.ts'
export * from './oneroster-records.ts'
export * from './oneroster-snapshot.ts'
