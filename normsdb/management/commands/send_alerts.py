from django.core.management.base import BaseCommand

from normsdb.alerts import send_alerts


class Command(BaseCommand):
    help = (
        "E-mail every user the records that newly match each of their saved searches (run it "
        "from cron, e.g. daily). A record is reported once; what matched when the search was "
        "saved is not reported."
    )

    def handle(self, *args, **options):
        checked, sent = send_alerts()
        self.stdout.write(f"{checked} saved search(es) checked, {sent} e-mail(s) sent.")
