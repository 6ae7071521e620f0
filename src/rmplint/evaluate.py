"""`rmplint eval`: measure the rules against gold-labelled documents (corpora/**/*.labels.yaml).

RMPs: a clause is predicted positive when its verdict is `met`. Contracts: a term is predicted
positive when a finding names it. Precision and recall are against `present` labels, with
`borderline` left out. Traps are passages that must (or must not) be quoted as evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmplint.engine import Checker
from rmplint.findings import DocumentResult
from rmplint.nlp import normalise


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        if predicted and gold:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4)}


@dataclass
class EvalResult:
    overall: dict[str, Score] = field(default_factory=lambda: {"rmp": Score(), "contract": Score()})
    per_key: dict[tuple[str, str], Score] = field(default_factory=dict)
    traps: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "overall": {k: v.as_dict() for k, v in self.overall.items()},
            "per_key": {f"{p}:{k}": v.as_dict() for (p, k), v in sorted(self.per_key.items())},
            "traps": {"total": len(self.traps), "failed": [t for t in self.traps if not t["ok"]]},
            "errors": [{"path": p, "error": e} for p, e in self.errors],
            "mistakes": self.mistakes,
        }


def _contains(haystack: str, needle: str) -> bool:
    return normalise(needle).lower() in normalise(haystack).lower()


def _evidence_texts(result: DocumentResult, profile: str, key: str) -> list[str]:
    if profile == "rmp":
        return [e.text for c in result.clauses if c.clause == key for e in c.evidence]
    return [f.text for f in result.findings if f.term == key and f.category != "hygiene"]


def _predicted(result: DocumentResult, profile: str) -> dict[str, bool]:
    if profile == "rmp":
        return {c.clause: c.status == "met" for c in result.clauses}
    present = {f.term for f in result.findings if f.category in ("adversarial", "collaborative")}
    return {t: True for t in present if t}


def evaluate(corpus: Path, checker: Checker) -> EvalResult:
    import yaml

    out = EvalResult()
    for label_file in sorted(Path(corpus).rglob("*.labels.yaml")):
        spec = yaml.safe_load(label_file.read_text(encoding="utf-8"))
        profile = spec["profile"]
        doc_path = label_file.parent / spec["document"]
        result = checker.check_path(doc_path, profile)
        out.documents += 1
        if result.error:
            out.errors.append((str(doc_path), result.error))
            continue
        predicted = _predicted(result, profile)
        for key, gold in spec["labels"].items():
            key = str(key)
            if gold == "borderline":
                continue
            p = predicted.get(key, False)
            out.overall[profile].add(p, gold == "present")
            out.per_key.setdefault((profile, key), Score()).add(p, gold == "present")
            if p != (gold == "present"):
                ev = _evidence_texts(result, profile, key)
                out.mistakes.append({
                    "document": spec["document"], "key": key, "gold": gold,
                    "predicted": "positive" if p else "negative", "evidence": ev[:2],
                })
        for trap in spec.get("traps", []) or []:
            key = str(trap.get("clause") or trap.get("term"))
            expect = trap.get("expect", "not-evidence")
            ev = _evidence_texts(result, profile, key)
            # a quote inside the trap text counts only when it says something ("A" from a RACI cell does not)
            quoted = any(_contains(e, trap["text"]) or (len(e) >= 20 and _contains(trap["text"], e)) for e in ev)
            if expect == "evidence":
                ok = quoted
            else:
                ok = not quoted and not (spec["labels"].get(key) == "absent" and predicted.get(key, False))
            out.traps.append({"document": spec["document"], "key": key, "kind": trap.get("kind"),
                              "expect": expect, "text": trap["text"], "ok": ok})
    return out


def render_text(res: EvalResult, worst: int = 10) -> str:
    lines = [f"{res.documents} labelled document(s), {len(res.errors)} unreadable"]
    for path, err in res.errors:
        lines.append(f"  error: {path}: {err}")
    for profile, name in (("rmp", "RMP clauses (met)"), ("contract", "Contract terms (present)")):
        s = res.overall[profile]
        if s.tp + s.fp + s.fn + s.tn == 0:
            continue
        lines.append(f"{name}: precision {s.precision:.3f}  recall {s.recall:.3f}  (tp {s.tp}, fp {s.fp}, fn {s.fn}, tn {s.tn})")
        keys = [(k, v) for (p, k), v in res.per_key.items() if p == profile]
        bad = sorted((kv for kv in keys if kv[1].fp or kv[1].fn), key=lambda kv: (-(kv[1].fp + kv[1].fn), kv[0]))
        if bad:
            lines.append(f"  worst {min(worst, len(bad))}:")
            for k, v in bad[:worst]:
                lines.append(f"    {k:<48} P {v.precision:.2f} R {v.recall:.2f}  fp {v.fp} fn {v.fn}")
    failed = [t for t in res.traps if not t["ok"]]
    lines.append(f"Traps: {len(res.traps) - len(failed)}/{len(res.traps)} right")
    for t in failed:
        lines.append(f"  FAIL {t['document']} {t['key']} [{t['kind']}, expect {t['expect']}]: {t['text'][:100]!r}")
    return "\n".join(lines) + "\n"


def render_json(res: EvalResult) -> str:
    return json.dumps(res.to_dict(), indent=2, sort_keys=True) + "\n"
