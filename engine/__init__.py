"""The workflow engine: the only package that imports SpiffWorkflow.

Modules: `bundles` (regulation bundles in memory), `compiler` + `lint` + `expressions`
(validation and building specs), `deploy` (stored versions), `runtime` (driving a workflow),
`instances` (cases, one transaction per change), `task_index`, `access` (who may do what),
`views` (read models), `timers` (scheduler), `audit` (hash chain), `users`, `forms`,
`calendar` + `helpers` (working days for diagrams), `serialization`, `scripting`, `models`,
`db`, `errors`.
"""
