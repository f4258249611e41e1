"""Pure rules shared by settings, wiring and analysis: subnet layout, sizing, IAM documents, AWS facts.
No Pulumi here: everything is tested directly."""
