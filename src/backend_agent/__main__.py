from backend_agent.cli import main

main()
