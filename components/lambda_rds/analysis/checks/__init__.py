"""Checks over the model: reachability, capacity, security policies and AWS's own rules, with waivers."""
