"""The deployer policy's parts: what the component calls, on which ARNs, under which tag conditions.

`actions` lists the API actions per resource type and lookup, `groups` the stack's tag keys and the
groups of actions held to them, `target` the stack a policy is for, `arns` and `conditions` what each
statement names and requires, `statements` the table of statements and which action goes where, and
`documents` their assembly into policy documents. `commands.deployer_policy` is the command.
"""
