from django.apps import AppConfig


class NormsdbConfig(AppConfig):
    name = "normsdb"
    verbose_name = "NormsDB"
