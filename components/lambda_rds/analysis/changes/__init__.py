"""The change list: what a plan creates, updates, replaces or deletes against a base plan or a preview."""
