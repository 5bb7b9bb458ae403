from django.db import models


class Company(models.Model):
    name = models.CharField(max_length=200)


class Contact(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    owner = models.ForeignKey("auth.User", on_delete=models.PROTECT)


class Note(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    body = models.TextField()
