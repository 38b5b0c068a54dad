from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Print the API token of a user, creating it if the user has none, so a script can "
        "write through the API: `Authorization: Token <key>`. What the token may change is "
        "what the user's model permissions allow. --rotate replaces a leaked token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts for.")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace the token; the old one stops working."
        )

    def handle(self, *args, **options):
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'No user "{username}"; create one in the admin first.')
        if not user.is_active:
            raise CommandError(f'User "{username}" is inactive; a token would not work.')
        if options["rotate"]:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        # The key alone on stdout, so that TOKEN=$(manage.py issue_token alice) works.
        self.stdout.write(token.key)
        self.stderr.write(f"{'New' if created else 'Existing'} token for {username}.")
