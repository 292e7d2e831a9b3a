from services.user.app import main

main()
