from django.apps import AppConfig


class NormsdbConfig(AppConfig):
    name = "normsdb"
    verbose_name = "NormsDB"

    def ready(self):
        from normsdb.search import signals

        signals.connect()
