"""Deterministic RMP-like and contract-like documents for the benchmarks (.docx and .pdf).

Every page holds a numbered heading, prose, a few bullets and, on every third page, a ruled
table; the same seed and page count always give the same text. Run on its own to write a set:
    python benchmarks/generate.py OUT_DIR 10 100 500
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

_RMP = [
    "The joint management team reviews the risk register every quarter and records the actions agreed.",
    "Both parties have appointed a senior executive responsible who owns the relationship and its objectives.",
    "The partners share knowledge through a joint lessons learned log that is reviewed at each governance meeting.",
    "Customer requirements are captured in the value proposition and checked against the business objectives.",
    "The exit strategy sets out how the parties will disengage, transfer staff and hand over shared assets.",
    "Collaborative behaviours are measured twice a year through a joint relationship health survey.",
    "Performance against the agreed KPIs is reported monthly to the joint governance board.",
    "Issues that cannot be resolved by the delivery managers are escalated to the joint executive group.",
    "The organisation has assessed its collaborative maturity against BS 11000 and identified the gaps.",
    "A joint innovation process collects ideas from both teams and tracks the benefits realised.",
    "Training in collaborative working is provided to every member of the joint team within three months.",
    "The relationship management plan is reviewed annually and after any major change in scope.",
    "No separate register of shared intellectual property has been set up yet.",
    "Roles and responsibilities of each partner are set out in the joint responsibility matrix.",
    "Communication between the partners follows the agreed communication plan and meeting calendar.",
]
_CONTRACT = [
    "The Supplier shall deliver the Services in accordance with the Specification and Good Industry Practice.",
    "The Customer shall pay each valid invoice within 60 days of receipt.",
    "Either party may terminate this Agreement for convenience on three months' written notice.",
    "The Supplier's total liability under this Agreement shall not exceed the Charges paid in the preceding year.",
    "The parties shall meet monthly to review performance and agree improvement actions in good faith.",
    "Liquidated damages of 0.5% of the Contract Price per week of delay shall apply.",
    "Any dispute shall first be referred to the Contract Managers and then to the senior representatives.",
    "This Agreement is governed by the law of England and Wales.",
    "The Supplier shall indemnify the Customer against all losses arising from any breach of this Agreement.",
    "Payment to the Subcontractor is conditional on the Contractor receiving payment from the Employer.",
    "The parties agree to share cost savings achieved through value engineering in equal proportions.",
    "The Customer may set off any amount owed by the Supplier against sums due under this Agreement.",
]
_HEADINGS = ["Governance", "Risk management", "Knowledge sharing", "Value creation", "Exit strategy",
             "Performance", "Payment", "Liability", "Termination", "Collaboration", "Disputes", "Staff"]
_TABLE_HEAD = ["Risk", "Owner", "Mitigation", "Review date"]


def pages(kind: str, count: int, seed: int = 11000) -> list[dict]:
    """The content of each page: heading, paragraphs, bullets and maybe a table."""
    rnd = random.Random(f"{kind}-{seed}-{count}")
    pool = _RMP if kind == "rmp" else _CONTRACT
    out = []
    for n in range(1, count + 1):
        paras = [" ".join(rnd.choice(pool) for _ in range(rnd.randint(3, 5))) for _ in range(3)]
        bullets = [rnd.choice(pool) for _ in range(3)]
        table = None
        if n % 3 == 0:
            table = [_TABLE_HEAD] + [
                [f"R{n}.{r}", rnd.choice(["Supplier", "Customer", "Joint team"]),
                 rnd.choice(pool)[:60], f"{1 + r}/{1 + n % 12}/2025"]
                for r in range(1, 5)
            ]
        out.append({"heading": f"{n}. {_HEADINGS[n % len(_HEADINGS)]}", "paras": paras, "bullets": bullets,
                    "table": table})
    title = "Relationship Management Plan" if kind == "rmp" else "Framework Agreement"
    out[0]["title"] = title
    return out


def write_docx(path: Path, kind: str, count: int) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    for i, page in enumerate(pages(kind, count)):
        if "title" in page:
            d.add_heading(page["title"], level=0)
        d.add_heading(page["heading"], level=1)
        for p in page["paras"]:
            d.add_paragraph(p)
        for b in page["bullets"]:
            d.add_paragraph(b, style="List Bullet")
        if page["table"]:
            t = d.add_table(rows=len(page["table"]), cols=len(page["table"][0]))
            t.style = "Table Grid"
            for r, row in enumerate(page["table"]):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
        if i + 1 < count:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.save(str(path))
    return path


def write_pdf(path: Path, kind: str, count: int) -> Path:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import (
        KeepInFrame,
        ListFlowable,
        ListItem,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Table,
        TableStyle,
    )

    rl_config.invariant = 1
    ss = getSampleStyleSheet()
    story: list = []
    for i, page in enumerate(pages(kind, count)):
        flow: list = []
        if "title" in page:
            flow.append(Paragraph(page["title"], ss["Title"]))
        flow.append(Paragraph(page["heading"], ss["Heading1"]))
        flow += [Paragraph(p, ss["BodyText"]) for p in page["paras"]]
        flow.append(ListFlowable([ListItem(Paragraph(b, ss["BodyText"])) for b in page["bullets"]],
                                 bulletType="bullet"))
        if page["table"]:
            t = Table(page["table"])
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("FONTSIZE", (0, 0), (-1, -1), 8)]))
            flow.append(t)
        # one generated page is one printed page, whatever the text length
        story.append(KeepInFrame(0, 0, flow, mode="shrink"))
        if i + 1 < count:
            story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def ensure(out: Path, kind: str, count: int, fmt: str) -> Path:
    """The file for (kind, pages, format), written once and reused."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}-{count:04d}p.{fmt}"
    if not path.exists():
        tmp = path.with_suffix(".tmp." + fmt)
        (write_docx if fmt == "docx" else write_pdf)(tmp, kind, count)
        tmp.rename(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1])
    for n in map(int, sys.argv[2:]):
        for fmt in ("docx", "pdf"):
            print(ensure(target, "rmp", n, fmt))
