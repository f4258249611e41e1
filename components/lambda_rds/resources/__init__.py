"""The wiring: Pulumi resources per part of the topology; each builder takes Settings and the handles of
the builders before it, and returns a small typed handle."""
