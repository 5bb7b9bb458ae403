from rest_framework import serializers

from drf_api.models import Ticket


class TicketSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    assignee_email = serializers.EmailField(source="assignee.email", read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "title", "team_name", "assignee_email"]
