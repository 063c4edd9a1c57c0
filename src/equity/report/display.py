"""Display objects of a report: a section's parts (sentences, tables, charts, notes), shown
the same in JupyterLab and in the exported HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Literal

from equity import plots

# --------------------------------------------------------------------------- display objects


@dataclass
class Section:
    """Parts of one report section (narratives, tables, charts, notes), displayed in order."""

    parts: list[Any] = field(default_factory=list)
    summary: dict[str, Any] | None = None

    def add(self, *parts: Any) -> Section:
        self.parts.extend(p for p in parts if p is not None)
        return self

    def to_html(self) -> str:
        out = []
        for p in self.parts:
            if hasattr(p, "to_html"):
                out.append(p.to_html())
            elif hasattr(p, "_repr_html_"):
                out.append(p._repr_html_())
            else:
                out.append(f"<p>{html.escape(str(p))}</p>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _ipython_display_(self) -> None:
        # One output per part, so each chart is its own image output with its alt text in
        # the output metadata (JupyterLab and nbconvert both read it from there).
        from IPython.display import display, publish_display_data

        for i, p in enumerate(self.parts):
            md: dict[str, Any] = {}
            if i == 0 and self.summary is not None:
                md["equity_summary"] = self.summary
            if isinstance(p, plots.Chart):
                data, meta = p._repr_mimebundle_()
                publish_display_data(data=data, metadata={**meta, **md})
            elif md:
                publish_display_data(data={"text/html": p._repr_html_() if hasattr(
                    p, "_repr_html_") else html.escape(str(p)), "text/plain": str(p)},
                    metadata=md)
            else:
                display(p)


@dataclass(frozen=True)
class Note:
    """A short paragraph (optionally a warning banner)."""

    text: str
    kind: Literal["note", "warning"] = "note"

    def _repr_html_(self) -> str:
        role = ' role="note"' if self.kind == "note" else ' role="alert"'
        style = ("border-left:6px solid #ED8B00;padding:0.5em 1em;background:#FFF4E0"
                 if self.kind == "warning" else "border-left:6px solid #005EB8;padding:0.5em 1em")
        return f'<div class="equity-{self.kind}"{role} style="{style}"><p>{html.escape(self.text)}</p></div>'

    def __str__(self) -> str:
        return self.text


