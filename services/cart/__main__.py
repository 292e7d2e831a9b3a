from services.cart.app import main

main()
