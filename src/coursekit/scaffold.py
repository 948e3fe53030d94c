"""``coursekit new``: a small course that already passes ``check --strict``, to edit."""

from __future__ import annotations

from pathlib import Path

from .names import slugify

_TEXTS = {
    "en": {
        "welcome": "Welcome",
        "body": "Write your lesson here in Markdown.\n\n::: tip\nEach lesson is one `.md` file listed in `course.yml`.\n:::\n",
        "quiz": "Check your knowledge",
        "prompt": "Is a course in coursekit plain text?",
        "explanation": "Lessons are Markdown and quizzes are YAML, kept under version control.",
    },
    "fr": {
        "welcome": "Bienvenue",
        "body": "Écrivez votre leçon ici en Markdown.\n\n::: tip\nChaque leçon est un fichier `.md` listé dans `course.yml`.\n:::\n",
        "quiz": "Vérifiez vos connaissances",
        "prompt": "Un cours coursekit est-il écrit en texte brut ?",
        "explanation": "Les leçons sont en Markdown et les quiz en YAML, sous contrôle de version.",
    },
}


def scaffold(directory: Path, title: str | None = None, language: str = "en") -> Path:
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} exists and is not empty")
    texts = _TEXTS.get(language.split("-")[0].lower(), _TEXTS["en"])
    title = title or directory.name.replace("-", " ").replace("_", " ").strip().capitalize() or "My course"
    (directory / "lessons").mkdir(parents=True, exist_ok=True)
    (directory / "quizzes").mkdir(exist_ok=True)
    (directory / "assets").mkdir(exist_ok=True)
    quoted = title.replace('"', '\\"')
    (directory / "course.yml").write_text(
        f'title: "{quoted}"\n'
        f"id: urn:coursekit:{slugify(directory.name)}\n"
        f"language: {language}\n"
        "version: 0.1.0\n"
        "passing_score: 80\n"
        "structure:\n"
        "  - lessons/01-welcome.md\n"
        "  - quizzes/check.yml\n",
        encoding="utf-8",
    )
    (directory / "lessons" / "01-welcome.md").write_text(
        f"---\ntitle: {texts['welcome']}\nduration: PT5M\n---\n{texts['body']}", encoding="utf-8"
    )
    (directory / "quizzes" / "check.yml").write_text(
        f"title: {texts['quiz']}\n"
        "questions:\n"
        "  - type: true-false\n"
        f"    prompt: {texts['prompt']}\n"
        "    answer: true\n"
        f"    explanation: {texts['explanation']}\n",
        encoding="utf-8",
    )
    return directory
