from django.contrib.auth.models import User
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=100)


class Ticket(models.Model):
    title = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    assignee = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
