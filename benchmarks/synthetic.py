"""Generate a synthetic course: N lessons with text, an image and 5 questions each.

Used by every benchmark script so figures stay comparable across formats. Each lesson
gets a quiz of five questions (the seven types in turn), so the course has N lessons,
N quizzes and 5 N questions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# A 1x1 PNG: real image bytes without bloating the benchmark with image I/O.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000001010100a5f6e2a70000000049454e44ae426082"
)

PARAGRAPH = (
    "A shop that sells online keeps its stock figures honest, answers questions quickly and "
    "states its delivery times before the order, not after. *Customers* compare, so a clear "
    "page with prices including tax and a **returns policy** earns trust. "
)

QUESTIONS = [
    "  - type: single\n    prompt: Which one is a marketplace?\n    choices:\n"
    "      - {text: A platform where many sellers list products, correct: true, feedback: Yes.}\n"
    "      - {text: Your own website}\n      - {text: A paper catalogue}\n"
    "    explanation: Marketplaces host many sellers.\n",
    "  - type: multiple\n    prompt: Which costs recur every month?\n    choices:\n"
    "      - {text: Hosting, correct: true}\n      - {text: Subscription, correct: true}\n"
    "      - {text: Logo design}\n",
    "  - type: true-false\n    prompt: Withdrawal lasts 14 days for distance sales.\n    answer: true\n",
    "  - type: fill-in\n    prompt: The French acronym for general terms of sale?\n    answers: [CGV, conditions generales de vente]\n",
    "  - type: numeric\n    prompt: How many days does a customer have to withdraw?\n    answer: 14\n",
    "  - type: matching\n    prompt: Match each cost to its kind.\n    pairs:\n"
    "      - [Hosting, recurring]\n      - [Logo, one-off]\n      - [Commission, per sale]\n",
    "  - type: ordering\n    prompt: Put the steps in order.\n    items: [Stock, Shipping, Returns, Opening]\n",
]


def generate(target: Path, lessons: int) -> Path:
    """Write the course folder ``target`` (replaced if present) and return it."""
    import shutil

    shutil.rmtree(target, ignore_errors=True)
    (target / "lessons").mkdir(parents=True)
    (target / "quizzes").mkdir()
    (target / "assets").mkdir()
    (target / "assets" / "chart.png").write_bytes(PNG)
    structure = []
    for n in range(1, lessons + 1):
        module = (n - 1) // 10 + 1
        lesson = f"lessons/{n:04d}-lesson.md"
        quiz = f"quizzes/{n:04d}-check.yml"
        if (n - 1) % 10 == 0:
            structure.append(f"  - module: Module {module}\n    id: m{module}\n    items:\n")
        structure.append(f"      - {lesson}\n      - {quiz}\n")
        (target / lesson).write_text(
            f"---\ntitle: Lesson {n}\nid: l{n}\nduration: PT5M\nobjectives: [Know step {n}]\n---\n"
            f"## Step {n}\n\n{PARAGRAPH * 3}\n\n![Chart for step {n}](../assets/chart.png)\n\n"
            f"- one point\n- another point with `code`\n\n::: tip\n{PARAGRAPH}\n:::\n\n"
            f"| cost | kind |\n|---|---|\n| hosting | recurring |\n\n{PARAGRAPH}\n",
            encoding="utf-8",
        )
        questions = "".join(QUESTIONS[(n + k) % len(QUESTIONS)] for k in range(5))
        (target / quiz).write_text(f"title: Check {n}\nid: c{n}\nquestions:\n{questions}", encoding="utf-8")
    (target / "course.yml").write_text(
        "title: Synthetic course\nid: https://example.org/courses/synthetic\nlanguage: en\n"
        "passing_score: 70\nstructure:\n" + "".join(structure),
        encoding="utf-8",
    )
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("-n", "--lessons", type=int, default=200)
    args = parser.parse_args()
    print(generate(args.target, args.lessons))
