"""Where one component's children go: the component name, the options every child takes, tags, account facts.

Every builder in `resources/` takes a `Scope` first, then the `Settings`, then the typed handles of the
builders before it (network -> database -> app secret -> proxy -> connection -> layers -> bootstrap ->
rotation -> functions), and returns a small typed handle of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Scope:
    name: str
    """The component's name: the prefix of every child's logical name and of the physical names."""
    opts: pulumi.ResourceOptions
    """`parent=<the component>`: a provider the consumer passes reaches every child through it."""
    tags: dict[str, str]
    """`lambda-rds:component` plus the user's `tags`, on everything taggable."""
    region: str
    account_id: str
    zones: Sequence[str]
    """The Availability Zones in use, in AZ order (chosen in settings from the account's facts)."""

    def after(self, depends_on: Sequence[pulumi.Resource]) -> pulumi.ResourceOptions:
        """The children's options plus `depends_on`."""
        return pulumi.ResourceOptions.merge(self.opts, pulumi.ResourceOptions(depends_on=list(depends_on)))
