"""What ``amsflow check-config`` says about workflows beyond their syntax: every
transition a project loses because one of its functions belongs to a plugin the
project does not enable (a workflow shared by projects that enable different
plugins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .engine import missing_plugins

if TYPE_CHECKING:
    from ..host import Amsflow


def lost_transitions(host: Amsflow) -> list[str]:
    """One line per (project, transition) lost, in the config-error format: the
    workflow file and the line of the function that removes it."""
    out = []
    for project in host.config["projects"]:
        key = project["key"]
        names = sorted(set(project["workflow_scheme"].values()))
        for name in names:
            workflow = host.workflows[name]
            for transition in workflow.transitions:
                missing = list(missing_plugins(host, key, transition))
                if not missing:
                    continue
                ref, _ = missing[0]
                because = ", ".join(f"'{r.name}' (plugin '{p}')" for r, p in missing)
                out.append(f"{workflow.file}:{ref.line or transition.line}: project '{key}' "
                           f"loses transition '{transition.name}' ({transition.id}) of "
                           f"workflow '{name}': it uses {because}, which '{key}' does not "
                           "enable")
    return out
