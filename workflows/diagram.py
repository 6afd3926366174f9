"""The dossier's state diagram, generated from the declaration in :mod:`workflows.dossier`.

Edges between the same two states are merged into one, its labels one per line, so the
recording events of a state form a single self-loop. States and labels keep the order of
:class:`~workflows.dossier.State` and of the declaration: the output is deterministic.
The labels are Dutch; a caller that shows another language passes ``translate`` (Dutch label in,
the reader's words out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from workflows.dossier import EVENT_LABELS, STATE_LABELS, TERMINAL, TRANSITIONS, State, Transition

__all__ = ["dot", "edges", "mermaid"]

_ORDER = {state: i for i, state in enumerate(State)}


def _as_is(text: str) -> str:
    return text


def _label(t: Transition, translate: Callable[[str], str] = _as_is) -> str:
    label = translate(EVENT_LABELS[t.event])
    return f"{label} ({translate(t.when_label)})" if t.when_label else label


def edges(transitions: Iterable[Transition] = TRANSITIONS,
          translate: Callable[[str], str] = _as_is) -> list[tuple[State, State, tuple[str, ...]]]:
    """``(source, target, labels)`` per pair of states, sorted by state order."""
    merged: dict[tuple[State, State], list[str]] = {}
    for t in transitions:
        for source in t.sources:
            labels = merged.setdefault((source, source if t.target is None else t.target), [])
            if (label := _label(t, translate)) not in labels:
                labels.append(label)
    pairs = sorted(merged, key=lambda pair: (_ORDER[pair[0]], _ORDER[pair[1]]))
    return [(source, target, tuple(merged[source, target])) for source, target in pairs]


def _mermaid_text(text: str) -> str:
    # ":" and ";" end a Mermaid label or statement; "#" starts an entity code.
    return text.replace(":", ",").replace(";", ",").replace("#", "")


def mermaid(transitions: Iterable[Transition] = TRANSITIONS, current: State | None = None,
            translate: Callable[[str], str] = _as_is) -> str:
    """A Mermaid ``stateDiagram-v2`` with the Dutch labels of states and events (or what
    ``translate`` makes of them); ``current``: the state a dossier is in, drawn highlighted."""
    transitions = tuple(transitions)
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{_mermaid_text(translate(STATE_LABELS[s]))}" as {s.value}' for s in State]
    lines.append(f"    [*] --> {State.SUBMITTED.value}")
    for source, target, labels in edges(transitions, translate):
        text = "<br/>".join(_mermaid_text(label) for label in labels)
        lines.append(f"    {source.value} --> {target.value}: {text}")
    lines += [f"    {s.value} --> [*]" for s in State if s in TERMINAL]
    if current is not None:
        lines.append("    classDef current fill:#0b5f8a,color:#ffffff,stroke:#f0b400,stroke-width:4px")
        lines.append(f"    class {current.value} current")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(transitions: Iterable[Transition] = TRANSITIONS) -> str:
    """The same diagram in Graphviz DOT."""
    transitions = tuple(transitions)
    lines = ["digraph dossier {", "    rankdir=LR;", '    node [shape=box, style=rounded, fontname="sans-serif"];']
    for s in State:
        shape = ", peripheries=2" if s in TERMINAL else ""
        lines.append(f'    {s.value} [label="{_dot_text(STATE_LABELS[s])}"{shape}];')
    for source, target, labels in edges(transitions):
        text = "\\n".join(_dot_text(label) for label in labels)
        lines.append(f'    {source.value} -> {target.value} [label="{text}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
