"""Load the education pages from education/content/*.md into the database. Safe to run again and again."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from education import services
from education.content_files import CONTENT_DIR, ContentError, read_content


class Command(BaseCommand):
    help = "Create or update education pages from their Markdown files; keeps pages an admin edited unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Overwrite pages an admin edited since the last load."
        )
        parser.add_argument("--directory", type=Path, default=CONTENT_DIR, help="Folder of content files.")

    def handle(self, *args, force=False, directory=CONTENT_DIR, **options):
        try:
            pages, references = read_content(directory)
        except ContentError as error:
            raise CommandError(str(error)) from error
        report = services.content_load(pages=pages, references=references, force=force)
        self.stdout.write(
            f"Content: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {report.references} references."
        )
        if report.kept_admin_edits:
            self.stdout.write(
                self.style.WARNING(
                    "Kept as edited in the admin (run with --force to overwrite): "
                    + ", ".join(report.kept_admin_edits)
                )
            )
