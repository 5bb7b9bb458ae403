from django.db import models


class Page(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    published = models.BooleanField(default=False)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)


class Revision(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)
