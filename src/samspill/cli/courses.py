"""`samspill course …`: list courses, export one to a file, import a file, enrol a user.

The command line is the server's operator: it acts as an administrator (see docs/teaching.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from samspill.cli.common import DataDir, console, unit_of_work

course_app = typer.Typer(help="Courses for learners: list, export, import, enrol.",
                         no_args_is_help=True)
CourseName = Annotated[str, typer.Argument(help="The course's name.")]


@course_app.command("list")
def list_courses(data_dir: DataDir = None) -> None:
    """Every course: its title, lessons, teachers and the number of learners."""
    from samspill.services import courses
    from samspill.services.setup import ensure_admin

    table = Table("course", "title", "lessons", "teachers", "learners")
    with unit_of_work(data_dir) as (db, _):
        for row, _role in courses.courses_for(db, ensure_admin(db)):
            members = courses.members(db, row)
            table.add_row(row.name, courses.header(row).title.get("en", ""),
                          str(len(courses.lessons_of(db, row))),
                          ", ".join(m.user.username for m in members if m.role == "teacher"),
                          str(sum(m.role == "learner" for m in members)))
    console.print(table)


@course_app.command("export")
def export(
    name: CourseName,
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: "
                                             "NAME.course.json here).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Write the course as one JSON file: clips by reference and the master codings' events;
    no video."""
    from samspill.services import courses

    with unit_of_work(data_dir) as (db, _):
        document = courses.export_course(db, courses.get_course(db, name))
    target = out or Path(f"{name}.course.json")
    target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"course '{name}' written to {target}")


@course_app.command("import")
def import_course(
    file: Annotated[Path, typer.Argument(help="A course file (JSON or YAML).", exists=True,
                                         dir_okay=False)],
    name: Annotated[str | None, typer.Option("--name", help="Store it under this name.")] = None,
    teacher: Annotated[str | None, typer.Option(
        "--teacher", help="Its teacher (a study owner); default: the administrator.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Store a course file; its clips play video where the teacher owns the named session."""
    from samspill.services import accounts, courses
    from samspill.services.setup import ensure_admin

    with unit_of_work(data_dir) as (db, _):
        by = accounts.get_user(db, teacher) if teacher else ensure_admin(db)
        row = courses.import_course(db, courses.read_course_file(file.read_bytes()), by=by,
                                    name=name)
        console.print(f"course '{row.name}' imported, taught by {by.username}")


@course_app.command("enrol")
def enrol(
    name: CourseName,
    user: Annotated[str, typer.Argument(help="The user to enrol.")],
    role: Annotated[str, typer.Option("--role", help="learner or teacher.")] = "learner",
    data_dir: DataDir = None,
) -> None:
    """Enrol a user in a course as a learner (or a teacher)."""
    from samspill.services import accounts, courses
    from samspill.services.setup import ensure_admin

    with unit_of_work(data_dir) as (db, _):
        courses.enrol(db, course=courses.get_course(db, name), user=accounts.get_user(db, user),
                      role=role, by=ensure_admin(db))
    console.print(f"{user} is a {role} of '{name}'")
