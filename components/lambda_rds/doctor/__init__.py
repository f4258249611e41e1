"""`lambda-rds doctor`: why can't this deployed function reach its database?

Reads the live account with read-only calls (``source``), normalises the answers into the very resources
``lambda_rds.analysis`` consumes (``normalise``), runs the same reachability checks ``plan`` runs, and
reports each failure's cause and fix in the order a person should apply them (``fixes``, ``report``).
``probe`` optionally invokes the function with the runtime's probe event to show measured reality.

boto3 is imported only by the modules that call AWS, so ``lambda-rds --help`` stays instant.
"""
