from services.order.app import main

main()
