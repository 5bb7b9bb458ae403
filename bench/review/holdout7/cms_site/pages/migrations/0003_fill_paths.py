from django.db import migrations


def fill(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for page in Page.objects.all():
        if page.parent is not None:
            page.title = f"{page.parent.title} / {page.title}"
            page.save()


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_revision")]
    operations = [migrations.RunPython(fill)]
